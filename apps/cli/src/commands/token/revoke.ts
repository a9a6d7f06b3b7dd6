import { Args } from '@oclif/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';

export interface TokenRevokeResult {
  id: number;
  scope: 'staff' | 'site';
  site: string | null;
  label: string | null;
  revokedAt: string;
  /** Schedules the token had created that were enabled, now paused. */
  pausedSchedules: number;
}

export default class TokenRevoke extends SpotlightCommand<TokenRevokeResult> {
  static override summary =
    'Revoke an API token: the server answers 401 to it from now on, and the schedules it created are paused.';

  static override description = `Give the id that "spotlight token create" printed, or the token itself. Revoking a revoked token again only pauses any of its schedules that were enabled since.

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 3',
    '<%= config.bin %> <%= command.id %> "$TOKEN"',
  ];

  static override args = {
    token: Args.string({ required: true, description: 'The token id, or the token itself.' }),
  };

  async run(): Promise<TokenRevokeResult> {
    const { args } = await this.parse(TokenRevoke);
    const { record, pausedSchedules } = await this.services.tokens.revoke(args.token);
    const scope = record.siteDomain ? `site token for ${record.siteDomain}` : 'staff token';
    this.log(
      `Revoked ${scope} ${record.id} (${record.prefix}...) at ${record.revokedAt!.toISOString()}; paused ${pausedSchedules} schedule${pausedSchedules === 1 ? '' : 's'} it created.`,
    );
    return {
      id: record.id,
      scope: record.scope,
      site: record.siteDomain,
      label: record.label,
      revokedAt: record.revokedAt!.toISOString(),
      pausedSchedules,
    };
  }
}
