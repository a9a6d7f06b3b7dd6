import type { Knex } from 'knex';
import { toDate } from '../db/connection';

export type TokenScope = 'staff' | 'site';

export interface TokenRecord {
  id: number;
  prefix: string;
  scope: TokenScope;
  /** The one customer a site token reaches; null for staff. */
  siteDomain: string | null;
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  /** When the token last authenticated a request (recorded at most once a minute); null if never. */
  lastUsedAt: Date | null;
}

export const TOKEN_TABLE = 'spotlight_export_token';
/** Export schedules: the server's ScheduleRepository keeps them; a revoke pauses a token's own. */
export const SCHEDULE_TABLE = 'spotlight_export_schedule';

interface TokenRow {
  id: number;
  token_hash: string;
  token_prefix: string;
  scope: TokenScope;
  site_domain: string | null;
  label: string | null;
  created_at: unknown;
  revoked_at: unknown;
  last_used_at?: unknown;
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: Number(row.id),
    prefix: row.token_prefix,
    scope: row.scope,
    siteDomain: row.site_domain,
    label: row.label,
    createdAt: toDate(row.created_at)!,
    revokedAt: toDate(row.revoked_at),
    lastUsedAt: toDate(row.last_used_at),
  };
}

/** API tokens, stored as hashes. Takes the primary database. */
export class TokenRepository {
  constructor(private readonly db: Knex) {}

  async insert(token: {
    hash: string;
    prefix: string;
    scope: TokenScope;
    siteDomain: string | null;
    label: string | null;
    createdAt: Date;
  }): Promise<TokenRecord> {
    const [id] = await this.db(TOKEN_TABLE).insert({
      token_hash: token.hash,
      token_prefix: token.prefix,
      scope: token.scope,
      site_domain: token.siteDomain,
      label: token.label,
      created_at: token.createdAt,
      revoked_at: null,
    });
    return {
      id: Number(id),
      prefix: token.prefix,
      scope: token.scope,
      siteDomain: token.siteDomain,
      label: token.label,
      createdAt: token.createdAt,
      revokedAt: null,
      lastUsedAt: null,
    };
  }

  /** The unrevoked token with this hash, in one query. */
  async findActiveByHash(hash: string): Promise<TokenRecord | null> {
    const row = await this.db<TokenRow>(TOKEN_TABLE)
      .where({ token_hash: hash })
      .whereNull('revoked_at')
      .first();
    return row ? toRecord(row) : null;
  }

  async findById(id: number): Promise<TokenRecord | null> {
    const row = await this.db<TokenRow>(TOKEN_TABLE).where({ id }).first();
    return row ? toRecord(row) : null;
  }

  async findByHash(hash: string): Promise<TokenRecord | null> {
    const row = await this.db<TokenRow>(TOKEN_TABLE).where({ token_hash: hash }).first();
    return row ? toRecord(row) : null;
  }

  /** Every token, oldest first. The hash is never read. */
  async list(): Promise<TokenRecord[]> {
    const rows = await this.db<TokenRow>(TOKEN_TABLE)
      .select(
        'id',
        'token_prefix',
        'scope',
        'site_domain',
        'label',
        'created_at',
        'revoked_at',
        'last_used_at',
      )
      .orderBy('id');
    return rows.map((row) => toRecord(row as TokenRow));
  }

  /**
   * Records that the token was used at `at`, unless that was already recorded
   * since `notBefore` (another instance may have done it). One UPDATE.
   */
  async touch(id: number, at: Date, notBefore: Date): Promise<void> {
    await this.db(TOKEN_TABLE)
      .where({ id })
      .where((query) => query.whereNull('last_used_at').orWhere('last_used_at', '<', notBefore))
      .update({ last_used_at: at });
  }

  /**
   * Marks the token revoked (unless it already was) and pauses the enabled
   * schedules it created, in one transaction; returns how many were paused.
   */
  async revoke(id: number, at: Date): Promise<{ pausedSchedules: number }> {
    return this.db.transaction(async (trx) => {
      await trx(TOKEN_TABLE).where({ id }).whereNull('revoked_at').update({ revoked_at: at });
      const pausedSchedules = await trx(SCHEDULE_TABLE)
        .where({ created_by_token_id: id, enabled: true })
        .update({ enabled: false, next_due_at: null, updated_at: at });
      return { pausedSchedules };
    });
  }

  /** Whether django_site has this domain (a site token must name a real customer). */
  async siteExists(domain: string): Promise<boolean> {
    const row = await this.db('django_site').where({ domain }).first('id');
    return Boolean(row);
  }
}
