import type { Knex } from 'knex';
import { raw, type PartialModelObject } from 'objection';
import { normaliseDomain } from '../input/address.rules';
import type { ExportSummary } from '../export/export.summary';
import { isUniqueViolation } from '../db/unique-violation';
import { retryOnContention } from '../db/contention';
import {
  FINISHED_STATUSES,
  Run,
  type RunRecord,
  type RunSource,
  type RunStatus,
} from '../db/models/run.model';
import { claimNextRun, RUN_PRIORITIES, type Claim } from './run-claim.repository';
import type { FinishedRun, NewRun } from './run.types';

export {
  FINISHED_STATUSES,
  RUN_SOURCES,
  RUN_STATUSES,
  type FinishedStatus,
  type RunDelivery,
  type RunRecord,
  type RunSource,
  type RunStatus,
} from '../db/models/run.model';

export { RUN_PRIORITIES, type Claim } from './run-claim.repository';
export type { FinishedRun, NewRun } from './run.types';

/** What an export's summary records on its run; all null when it got no summary. */
function summaryColumns(summary: ExportSummary | null) {
  return {
    active: summary?.active ?? null,
    inactive: summary?.inactive ?? null,
    bytes: summary?.bytes ?? null,
    queries: summary?.queries ?? null,
    messageId: summary?.messageId?.slice(0, 250) ?? null,
    delivery: summary?.delivery ?? null,
    linkExpiresAt: summary?.expiresAt ? new Date(summary.expiresAt) : null,
  };
}

/** Export runs, queued by the API or the scheduler and claimed by the workers of every instance. */
export class RunRepository {
  constructor(private readonly db: Knex) {}

  /** Inserts a queued run; null when its unique key (pending export, or schedule and due time) already exists. */
  async insertQueued(run: NewRun, now: Date): Promise<RunRecord | null> {
    const readyAt = run.notBefore && run.notBefore > now ? run.notBefore : now;
    const queued: Omit<RunRecord, 'id'> = {
      customer: run.customer,
      recipient: run.recipient,
      since: run.since,
      until: run.until,
      status: 'queued',
      source: run.source,
      operator: run.operator?.slice(0, 200) ?? null,
      requestedBy: run.requestedBy ?? null,
      scheduleId: run.scheduleId ?? null,
      resendOf: run.resendOf ?? null,
      timeZone: run.timeZone ?? 'UTC',
      dueAt: run.dueAt ?? null,
      pendingKey: run.pendingKey ?? null,
      tokenId: run.tokenId,
      priority: run.source === 'schedule' ? RUN_PRIORITIES.scheduled : RUN_PRIORITIES.onDemand,
      attempts: 0,
      nextAttemptAt: readyAt,
      readyAt,
      ...this.unclaimed(),
      ...summaryColumns(null),
      durationMs: null,
      error: null,
      errorCode: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
    };
    const insert = () => Run.query(this.db).insert(queued);
    try {
      // Inside a transaction, the whole transaction is what is tried again on contention.
      return await (this.db.isTransaction ? insert() : retryOnContention(insert));
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** This repository's statements inside `trx`, to queue runs in a caller's transaction. */
  bindTo(trx: Knex.Transaction): RunRepository {
    return new RunRepository(trx);
  }

  async findPending(pendingKey: string): Promise<RunRecord | null> {
    return (await Run.query(this.db).where({ pending_key: pendingKey }).first()) ?? null;
  }

  async findById(id: number): Promise<RunRecord | null> {
    return (await Run.query(this.db).findById(id)) ?? null;
  }

  /** Newest first, one query; `customers` null means every customer. */
  async list(filter: {
    customer?: string;
    status?: RunStatus;
    source?: RunSource;
    before?: number;
    limit: number;
  }): Promise<RunRecord[]> {
    const query = Run.query(this.db).orderBy('id', 'desc').limit(filter.limit);
    if (filter.customer) query.where({ customer: normaliseDomain(filter.customer) });
    if (filter.status) query.where({ status: filter.status });
    if (filter.source) query.where({ source: filter.source });
    if (filter.before) query.where('id', '<', filter.before);
    return query;
  }

  /** Each schedule's newest run (the highest id), in one query; schedules with no run are left out. */
  async newestOfSchedules(scheduleIds: readonly number[]): Promise<Map<number, RunRecord>> {
    if (scheduleIds.length === 0) return new Map();
    const newest = Run.query(this.db).max('id').whereIn('schedule_id', scheduleIds).groupBy('schedule_id');
    const runs = await Run.query(this.db).whereIn('id', newest);
    return new Map(runs.map((run) => [run.scheduleId!, run]));
  }

  /**
   * The latest finished runs (sent, failed or unconfirmed) of one schedule, newest due time
   * first, in one query: how many due times in a row have failed. Runs that
   * finished before `finishedAfter` (the schedule's last change) do not count.
   */
  async recentFinishedForSchedule(
    scheduleId: number,
    limit: number,
    finishedAfter?: Date,
  ): Promise<RunRecord[]> {
    const query = Run.query(this.db)
      .where({ schedule_id: scheduleId })
      .whereIn('status', FINISHED_STATUSES)
      .orderBy('due_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (finishedAfter) query.where('finished_at', '>', finishedAfter);
    return query;
  }

  /**
   * Deletes up to `batch` finished runs that finished before `cutoff`,
   * by the finished_at index; queued and running runs are never touched.
   * Returns how many went; call again until it returns less than `batch`.
   */
  async deleteFinishedBefore(cutoff: Date, batch: number): Promise<number> {
    const ids = (
      await Run.query(this.db)
        .select('id')
        .where('finished_at', '<', cutoff)
        .whereIn('status', FINISHED_STATUSES)
        .orderBy('finished_at')
        .limit(batch)
    ).map((run) => run.id);
    if (ids.length === 0) return 0;
    await retryOnContention(() =>
      Run.query(this.db).whereIn('id', ids).whereIn('status', FINISHED_STATUSES).delete(),
    );
    return ids.length;
  }

  /** Takes the next run for this instance, or null: see {@link claimNextRun}. */
  async claimNext(claim: Claim): Promise<RunRecord | null> {
    return claimNextRun(this.db, claim);
  }

  /** Keeps the claim alive; false when this instance no longer holds it. */
  async extendLease(run: RunRecord, until: Date): Promise<boolean> {
    return this.updateMine(run, { leaseExpiresAt: until });
  }

  /** Recorded just before the SMTP transaction starts; false when the claim was lost (then do not send). */
  async markDeliveryStarted(run: RunRecord, at: Date): Promise<boolean> {
    return this.updateMine(run, { deliveryStartedAt: at });
  }

  /** Marks the run sent and records its summary in one statement. */
  async finishSent(run: RunRecord, summary: ExportSummary, at: Date): Promise<boolean> {
    return this.updateMine(run, {
      status: 'sent',
      ...this.released(),
      ...summaryColumns(summary),
      durationMs: summary.durationMs,
      error: null,
      errorCode: null,
      finishedAt: at,
    });
  }

  async finishFailed(
    run: RunRecord,
    error: string,
    at: Date,
    errorCode: string | null = null,
  ): Promise<boolean> {
    return this.updateMine(run, {
      status: 'failed',
      ...this.released(),
      error,
      errorCode,
      finishedAt: at,
    });
  }

  /**
   * The whole email went to the mail server and its answer was lost: it may
   * have arrived, so the run ends here, never sent again by itself.
   */
  async finishUnconfirmed(
    run: RunRecord,
    error: string,
    messageId: string,
    at: Date,
    carried: { delivery: 'link' | 'attachment'; linkExpiresAt: Date | null } | null = null,
  ): Promise<boolean> {
    return this.updateMine(run, {
      status: 'unconfirmed',
      ...this.released(),
      messageId: messageId.slice(0, 250),
      ...(carried ?? {}),
      error,
      errorCode: 'DELIVERY_UNCONFIRMED',
      finishedAt: at,
    });
  }

  /**
   * Records an export that ran outside the queue (the CLI's), already
   * finished, in one INSERT; returns its id.
   */
  async insertFinished(run: FinishedRun): Promise<number> {
    const inserted = await retryOnContention(() =>
      Run.query(this.db).insert({
        customer: run.customer.slice(0, 100),
        recipient: run.recipient.slice(0, 254),
        since: run.since,
        until: run.until,
        status: run.status,
        source: run.source,
        operator: run.operator?.slice(0, 200) ?? null,
        resendOf: run.resendOf ?? null,
        requestedBy: run.requestedBy?.slice(0, 200) ?? null,
        timeZone: run.summary?.timeZone ?? 'UTC',
        tokenId: null,
        attempts: 1,
        nextAttemptAt: run.startedAt,
        readyAt: run.startedAt,
        ...summaryColumns(run.summary),
        ...(run.messageId ? { messageId: run.messageId.slice(0, 250) } : {}),
        durationMs: run.durationMs,
        error: run.error,
        errorCode: run.errorCode,
        createdAt: run.startedAt,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
      }),
    );
    return inserted.id;
  }

  /** Puts the run back in the queue for another attempt at `next`, by any instance. */
  async retryLater(run: RunRecord, error: string, next: Date): Promise<boolean> {
    return this.updateMine(run, { ...this.requeued(next), error });
  }

  /**
   * Puts the run back in the queue without spending an attempt: it could not
   * start because another export of the customer holds its lock.
   */
  async deferLocked(run: RunRecord, note: string, next: Date): Promise<boolean> {
    return this.updateMine(run, {
      ...this.requeued(next),
      attempts: raw('attempts - 1'),
      error: note,
    });
  }

  private unclaimed() {
    return { claimedBy: null, claimToken: null, leaseExpiresAt: null, deliveryStartedAt: null };
  }

  private requeued(next: Date) {
    return { status: 'queued' as const, ...this.unclaimed(), nextAttemptAt: next };
  }

  private released() {
    return { claimToken: null, leaseExpiresAt: null, pendingKey: null };
  }

  /** Changes the run if this claim still holds it, retrying on contention; false when it does not. */
  private async updateMine(run: RunRecord, changes: PartialModelObject<Run>): Promise<boolean> {
    return (
      (await retryOnContention(() =>
        Run.query(this.db)
          .patch(changes)
          .where({ id: run.id, claim_token: run.claimToken, status: 'running' }),
      )) > 0
    );
  }
}
