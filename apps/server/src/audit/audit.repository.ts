import type { Knex } from 'knex';
import { retryOnContention, toDate } from '@spotlight/core';

export const AUDIT_TABLE = 'spotlight_export_audit';

export interface AuditEntry {
  tokenId: number | null;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/** One recorded entry, as the audit trail reads it back. */
export interface AuditRecord {
  id: number;
  at: Date;
  /** The token that asked; null when the system acted (a paused schedule, an alert). */
  tokenId: number | null;
  action: string;
  target: string;
  detail: Record<string, unknown> | null;
}

function toRecord(row: Record<string, unknown>): AuditRecord {
  let detail: Record<string, unknown> | null = null;
  if (typeof row.detail === 'string') {
    try {
      detail = JSON.parse(row.detail) as Record<string, unknown>;
    } catch {
      detail = { text: row.detail };
    }
  }
  return {
    id: Number(row.id),
    at: toDate(row.at)!,
    tokenId: row.token_id === null || row.token_id === undefined ? null : Number(row.token_id),
    action: String(row.action),
    target: String(row.target),
    detail,
  };
}

/** Who asked for what: every export and every change, with the token that asked. */
export class AuditRepository {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db(AUDIT_TABLE).insert({
      token_id: entry.tokenId,
      action: entry.action,
      target: entry.target.slice(0, 200),
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
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
    const query = this.db(AUDIT_TABLE).orderBy('id', 'desc').limit(filter.limit);
    if (filter.action) query.where({ action: filter.action });
    if (filter.tokenId !== undefined) query.where({ token_id: filter.tokenId });
    if (filter.before) query.where('id', '<', filter.before);
    return (await query).map(toRecord);
  }

  /**
   * Deletes up to `batch` entries recorded before `cutoff`, by the index on
   * `at`; returns how many went. Call again until it returns less than `batch`.
   */
  async deleteBefore(cutoff: Date, batch: number): Promise<number> {
    const ids: number[] = (
      await this.db(AUDIT_TABLE).select('id').where('at', '<', cutoff).orderBy('at').limit(batch)
    ).map((row: { id: number }) => Number(row.id));
    if (ids.length === 0) return 0;
    // Every instance's retention job deletes: a deadlock costs a retry, not the purge.
    await retryOnContention(() => this.db(AUDIT_TABLE).whereIn('id', ids).delete());
    return ids.length;
  }
}
