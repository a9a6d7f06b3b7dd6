import type { Knex } from 'knex';
import { Site } from '../db/models/site.model';
import { ScheduleModel } from '../db/models/schedule.model';
import { Token, type TokenRecord, type TokenScope } from '../db/models/token.model';

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
    const { hash: _hash, ...record } = await Token.query(this.db).insert({
      ...token,
      revokedAt: null,
      lastUsedAt: null,
    });
    return record;
  }

  /** The unrevoked token with this hash, in one query. */
  async findActiveByHash(hash: string): Promise<TokenRecord | null> {
    const token = await this.tokens().where({ token_hash: hash }).whereNull('revoked_at').first();
    return token ?? null;
  }

  async findById(id: number): Promise<TokenRecord | null> {
    return (await this.tokens().findById(id)) ?? null;
  }

  async findByHash(hash: string): Promise<TokenRecord | null> {
    return (await this.tokens().where({ token_hash: hash }).first()) ?? null;
  }

  /** Every token, oldest first. The hash is never read. */
  async list(): Promise<TokenRecord[]> {
    return this.tokens().orderBy('id');
  }

  /**
   * Records that the token was used at `at`, unless that was already recorded
   * since `notBefore` (another instance may have done it). One UPDATE.
   */
  async touch(id: number, at: Date, notBefore: Date): Promise<void> {
    await Token.query(this.db)
      .patch({ lastUsedAt: at })
      .where({ id })
      .where((query) => query.whereNull('last_used_at').orWhere('last_used_at', '<', notBefore));
  }

  /**
   * Marks the token revoked (unless it already was) and pauses the enabled
   * schedules it created, in one transaction; returns how many were paused.
   */
  async revoke(id: number, at: Date): Promise<{ pausedSchedules: number }> {
    return this.db.transaction(async (trx) => {
      await Token.query(trx).patch({ revokedAt: at }).where({ id }).whereNull('revoked_at');
      const pausedSchedules = await ScheduleModel.query(trx)
        .patch({ enabled: false, nextDueAt: null, updatedAt: at })
        .where({ created_by_token_id: id, enabled: true });
      return { pausedSchedules };
    });
  }

  /** Whether django_site has this domain (a site token must name a real customer). */
  async siteExists(domain: string): Promise<boolean> {
    const site = await Site.query(this.db).select('id').where({ domain }).limit(1).first();
    return Boolean(site);
  }

  /** Tokens as records: every column but the hash. */
  private tokens() {
    return Token.query(this.db).select(Token.recordColumns);
  }
}
