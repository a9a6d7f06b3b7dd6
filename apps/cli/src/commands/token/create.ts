import { Flags } from '@oclif/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';

export interface TokenCreateResult {
  id: number;
  /** The secret: shown this once, stored only as a SHA-256 hash. */
  token: string;
  scope: 'staff' | 'site';
  site: string | null;
  label: string | null;
  createdAt: string;
}

export default class TokenCreate extends SpotlightCommand<TokenCreateResult> {
  static override summary = 'Create an API token for the export server, shown once.';

  static override description = `A staff token reaches every customer; a site token reaches only its own customer, and the server answers 404 for any other. Only a SHA-256 hash of the token is stored: copy it now, it cannot be shown again. The token alone goes to stdout, so TOKEN=$(spotlight token create --staff) works.

${exitCodesHelp('CUSTOMER_NOT_FOUND', 'DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --staff --label "support team"',
    '<%= config.bin %> <%= command.id %> --site example.com',
    'TOKEN=$(<%= config.bin %> <%= command.id %> --staff)',
  ];

  static override flags = {
    staff: Flags.boolean({ summary: 'A token for Spotlight staff: every customer.', exclusive: ['site'] }),
    site: Flags.string({
      summary: 'A token for one customer only (its domain).',
      helpValue: 'DOMAIN',
      exclusive: ['staff'],
    }),
    label: Flags.string({ summary: 'Who or what the token is for, to tell tokens apart.' }),
  };

  async run(): Promise<TokenCreateResult> {
    const { flags } = await this.parse(TokenCreate);
    const { record, token } = await this.services.tokens.create({
      staff: flags.staff,
      site: flags.site,
      label: flags.label,
    });
    const scope = record.siteDomain ? `site token for ${record.siteDomain}` : 'staff token (every customer)';
    this.logToStderr(
      `Created ${scope}, id ${record.id}. It is shown once and stored only as a hash; revoke it with "spotlight token revoke ${record.id}".`,
    );
    this.log(token);
    return {
      id: record.id,
      token,
      scope: record.scope,
      site: record.siteDomain,
      label: record.label,
      createdAt: record.createdAt.toISOString(),
    };
  }
}
