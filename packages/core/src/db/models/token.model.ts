import type { ModelObject } from 'objection';
import { columnsRenaming, ProductModel } from './product.model';
import { TOKEN_TABLE } from './tables';

export type TokenScope = 'staff' | 'site';

/** An API token as the product reads it: never its hash. */
export type TokenRecord = Omit<ModelObject<Token>, 'hash'>;

/** A row of spotlight_export_token. */
export class Token extends ProductModel {
  static override tableName = TOKEN_TABLE;
  static override columnNameMappers = columnsRenaming({ hash: 'token_hash', prefix: 'token_prefix' });
  static override dateAttributes = ['createdAt', 'revokedAt', 'lastUsedAt'];
  /** Every column but the hash, which is only ever compared in SQL. */
  static readonly recordColumns = [
    'id',
    'token_prefix',
    'scope',
    'site_domain',
    'label',
    'created_at',
    'revoked_at',
    'last_used_at',
  ];

  declare id: number;
  /** SHA-256 of the token, hex. */
  declare hash: string;
  declare prefix: string;
  declare scope: TokenScope;
  /** The one customer a site token reaches; null for staff. */
  declare siteDomain: string | null;
  declare label: string | null;
  declare createdAt: Date;
  declare revokedAt: Date | null;
  /** When the token last authenticated a request (recorded at most once a minute); null if never. */
  declare lastUsedAt: Date | null;
}
