import type { RunRepository } from '@spotlight/core';
import type { AuditRepository } from '../audit/audit.repository';

const DAY_MS = 86_400_000;

export interface HistoryRetentionOptions {
  /** Finished runs and audit entries older than this many days are deleted. */
  days: number;
  /** Rows per DELETE, so that no statement holds locks on much of a table. */
  batchSize?: number;
}

/**
 * Keeps the run history and the audit trail to `days`: finished (sent or
 * failed) runs by when they finished, audit entries by when they were
 * recorded. Queued and running runs are never deleted, however old.
 */
export class HistoryRetentionService {
  constructor(
    private readonly runs: RunRepository,
    private readonly audit: AuditRepository,
    private readonly options: HistoryRetentionOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async purge(): Promise<{ runs: number; auditEntries: number }> {
    const cutoff = new Date(this.clock().getTime() - this.options.days * DAY_MS);
    const batch = this.options.batchSize ?? 500;
    return {
      runs: await inBatches(() => this.runs.deleteFinishedBefore(cutoff, batch), batch),
      auditEntries: await inBatches(() => this.audit.deleteBefore(cutoff, batch), batch),
    };
  }
}

async function inBatches(deleteBatch: () => Promise<number>, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < batch) return total;
  }
}
