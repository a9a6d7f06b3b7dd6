import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { formatTable } from '../../table';

export interface TokenListResult {
  tokens: Array<{
    id: number;
    /** The token's first characters, to tell tokens apart; never the secret. */
    prefix: string;
    label: string | null;
    scope: 'staff' | 'site';
    site: string | null;
    createdAt: string;
    /** Recorded by the server at most once a minute; null if never used. */
    lastUsedAt: string | null;
    revokedAt: string | null;
  }>;
}

export default class TokenList extends SpotlightCommand<TokenListResult> {
  static override summary = 'List the API tokens: scope, site, when created, last used and revoked.';

  static override description = `Shows every token, revoked ones included, oldest first. The secret is never shown (only its first characters), and its hash never leaves the database. "last used" is when the server last accepted the token, to the minute.

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  async run(): Promise<TokenListResult> {
    await this.parse(TokenList);
    const tokens = (await this.services.tokens.list()).map((token) => ({
      id: token.id,
      prefix: token.prefix,
      label: token.label,
      scope: token.scope,
      site: token.siteDomain,
      createdAt: token.createdAt.toISOString(),
      lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
      revokedAt: token.revokedAt?.toISOString() ?? null,
    }));
    this.log(
      tokens.length === 0
        ? 'No tokens yet; create one with "spotlight token create".'
        : formatTable(
            ['ID', 'PREFIX', 'LABEL', 'SCOPE', 'SITE', 'CREATED', 'LAST USED', 'REVOKED'],
            tokens.map((t) => [
              String(t.id),
              t.prefix,
              t.label ?? '-',
              t.scope,
              t.site ?? '-',
              t.createdAt,
              t.lastUsedAt ?? 'never',
              t.revokedAt ?? '-',
            ]),
          ),
    );
    return { tokens };
  }
}
