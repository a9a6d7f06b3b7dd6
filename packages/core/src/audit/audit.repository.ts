import type { Knex } from 'knex';
import { retryOnContention } from '../db/contention';
import { AuditEntryModel, type AuditRecord } from '../db/models/audit.model';

export interface AuditEntry {
  tokenId: number | null;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/**
 * Who asked for what: every export and every change, with the token that
 * asked (none for the CLI, whose operator is in the detail).
 */
export class AuditRepository {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await AuditEntryModel.query(this.db).insert({
      tokenId: entry.tokenId,
      action: entry.action,
      target: entry.target.slice(0, 200),
      detail: entry.detail ?? null,
      at: this.clock(),
    });
  }

  /** Newest first, one query, keyset-paged by id. */
  async list(filter: {
    action?: string;
    tokenId?: number;
    before?: number;
    limit: number;
  }): Promise<AuditRecord[]> {
    const query = AuditEntryModel.query(this.db).orderBy('id', 'desc').limit(filter.limit);
    if (filter.action) query.where({ action: filter.action });
    if (filter.tokenId !== undefined) query.where({ token_id: filter.tokenId });
    if (filter.before) query.where('id', '<', filter.before);
    return query;
  }

  /** The entries of these targets and actions, newest first, in one query by the target index. */
  async latestFor(targets: readonly string[], actions: readonly string[]): Promise<AuditRecord[]> {
    if (targets.length === 0) return [];
    return AuditEntryModel.query(this.db)
      .whereIn('target', targets)
      .whereIn('action', actions)
      .orderBy('id', 'desc');
  }

  /**
   * Deletes up to `batch` entries recorded before `cutoff`, by the index on
   * `at`; returns how many went. Call again until it returns less than `batch`.
   */
  async deleteBefore(cutoff: Date, batch: number): Promise<number> {
    const ids = (
      await AuditEntryModel.query(this.db).select('id').where('at', '<', cutoff).orderBy('at').limit(batch)
    ).map((entry) => entry.id);
    if (ids.length === 0) return 0;
    // Every instance's retention job deletes: a deadlock costs a retry, not the purge.
    await retryOnContention(async () => AuditEntryModel.query(this.db).whereIn('id', ids).delete());
    return ids.length;
  }
}
