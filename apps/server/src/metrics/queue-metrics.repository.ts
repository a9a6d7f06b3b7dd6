import type { Knex } from 'knex';
import { RUN_TABLE, toDate } from '@spotlight/core';

export interface QueueState {
  /** Queued runs: due now, or waiting for a retry or for another export of their customer. */
  depth: number;
  /** The earliest time a queued run became due (not its next retry); null when none is queued. */
  oldestDueAt: Date | null;
}

/** What the metrics read from the queue when they are scraped. */
export class QueueMetricsRepository {
  constructor(private readonly db: Knex) {}

  /**
   * One statement over the (status, ready_at) index alone: it reads one
   * index entry per queued run and never the history of finished runs. A run
   * deferred for a retry or for its customer's lock keeps its age, so a
   * stuck queue shows.
   */
  async queueState(): Promise<QueueState> {
    const row: { depth?: unknown; oldest?: unknown } | undefined = await this.db(RUN_TABLE)
      .where('status', 'queued')
      .count({ depth: '*' })
      .min({ oldest: 'ready_at' })
      .first();
    return { depth: Number(row?.depth ?? 0), oldestDueAt: toDate(row?.oldest ?? null) };
  }
}
