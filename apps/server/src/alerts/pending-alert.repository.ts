import crypto from 'node:crypto';
import type { Knex } from 'knex';
import {
  PendingAlertModel,
  dialectOf,
  retryOnContention,
  type AlertChannel,
  type PendingAlertRecord,
} from '@spotlight/core';

export interface NewPendingAlert {
  runId: number;
  channel: AlertChannel;
  target: string | null;
  event: Record<string, unknown>;
  /** Attempts made already. */
  attempts: number;
  nextAttemptAt: Date;
  giveUpAt: Date;
  lastError: string;
}

/**
 * Failure notices waiting for another delivery attempt, in the primary
 * database, so that they survive a restart and any instance can deliver them.
 */
export class PendingAlertRepository {
  constructor(private readonly db: Knex) {}

  async insert(alert: NewPendingAlert, now: Date): Promise<void> {
    await retryOnContention(() =>
      PendingAlertModel.query(this.db).insert({ ...alert, claimToken: null, createdAt: now }),
    );
  }

  /**
   * Atomically takes one due alert for this instance: its next attempt moves
   * to `now + leaseMs`, so should the instance die while delivering, another
   * one takes it once that time has passed. MySQL/MariaDB: SELECT ... FOR
   * UPDATE SKIP LOCKED then UPDATE in one transaction; SQLite runs one writer
   * at a time, so one conditional UPDATE is atomic.
   */
  async claimDue(now: Date, leaseMs: number): Promise<PendingAlertRecord | null> {
    const claimToken = crypto.randomUUID();
    const changes = { claimToken, nextAttemptAt: new Date(now.getTime() + leaseMs) };
    const due = (db: Knex) =>
      PendingAlertModel.query(db)
        .select('id')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(1);
    if (dialectOf(this.db) === 'mysql') {
      return retryOnContention(() =>
        this.db.transaction(async (trx) => {
          const candidate = await due(trx).forUpdate().skipLocked().first();
          if (!candidate) return null;
          await PendingAlertModel.query(trx).patch(changes).where({ id: candidate.id });
          return (await PendingAlertModel.query(trx).findById(candidate.id)) ?? null;
        }),
      );
    }
    const claimed = await retryOnContention(() =>
      PendingAlertModel.query(this.db).patch(changes).whereIn('id', due(this.db)),
    );
    if (claimed === 0) return null;
    return (await PendingAlertModel.query(this.db).where({ claim_token: claimToken }).first()) ?? null;
  }

  /** Delivered or given up: gone, if this instance still holds it. */
  async remove(alert: PendingAlertRecord): Promise<void> {
    await retryOnContention(() =>
      PendingAlertModel.query(this.db).where({ id: alert.id, claim_token: alert.claimToken }).delete(),
    );
  }

  /** Another failed attempt: released, due again at `nextAttemptAt`. */
  async retryLater(alert: PendingAlertRecord, nextAttemptAt: Date, error: string): Promise<void> {
    await retryOnContention(() =>
      PendingAlertModel.query(this.db)
        .patch({ attempts: alert.attempts + 1, nextAttemptAt, claimToken: null, lastError: error })
        .where({ id: alert.id, claim_token: alert.claimToken }),
    );
  }
}
