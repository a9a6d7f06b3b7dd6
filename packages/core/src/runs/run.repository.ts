import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { raw, type PartialModelObject, type QueryBuilder } from 'objection';
import { dialectOf } from '../db/connection';
import { normaliseDomain } from '../input/address.rules';
import type { ExportSummary } from '../export/export.summary';
import { isUniqueViolation } from '../db/unique-violation';
import { retryOnContention } from '../db/contention';
import {
  FINISHED_STATUSES,
  Run,
  type FinishedStatus,
  type RunRecord,
  type RunSource,
  type RunStatus,
} from '../db/models/run.model';

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

/**
 * The order the queue is claimed in, lower first: on-demand exports (someone
 * is waiting for them) ahead of scheduled ones.
 */
export const RUN_PRIORITIES = { onDemand: 0, scheduled: 1 } as const;
const CLAIMED_PRIORITIES = [RUN_PRIORITIES.onDemand, RUN_PRIORITIES.scheduled];

export interface NewRun {
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  source: RunSource;
  tokenId: number | null;
  /** Who queued it from the CLI (a schedule run now); none for the API and the scheduler. */
  operator?: string;
  scheduleId?: number;
  dueAt?: Date;
  /** Not claimed before this time (a scheduled run's jitter); at once when absent or past. */
  notBefore?: Date;
  /** UTC when not given. */
  timeZone?: string;
  /** Whom the email names as having asked; "Spotlight support" when not given. */
  requestedBy?: string | null;
  /** For API runs: the same key while queued or running means the same export. */
  pendingKey?: string;
  /** The run this one sends again on purpose. */
  resendOf?: number;
}

/** An export that ran outside the queue, as {@link RunRepository.insertFinished} records it. */
export interface FinishedRun {
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  status: FinishedStatus;
  source: RunSource;
  operator: string | null;
  /** The email's Message-ID when no summary carries it (an unconfirmed delivery). */
  messageId?: string | null;
  /** The run this one sent again on purpose. */
  resendOf?: number | null;
  /** Whom the email named as having asked; null or absent for "Spotlight support". */
  requestedBy?: string | null;
  /** What the export did, when it got that far. */
  summary: ExportSummary | null;
  error: string | null;
  errorCode: string | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}

export interface Claim {
  instanceId: string;
  now: Date;
  leaseMs: number;
}

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

  /**
   * Atomically takes, for this instance, a run that was abandoned (running
   * with an expired lease), or else the due run (queued and past its next
   * attempt) of the lowest priority that is due first: on-demand before scheduled.
   * MySQL/MariaDB: SELECT ... FOR UPDATE SKIP LOCKED then UPDATE in one
   * transaction, so instances never wait on or take each other's row. SQLite
   * has no row locks (knex throws on skipLocked there): one conditional UPDATE
   * is atomic because SQLite runs one writer at a time.
   */
  async claimNext(claim: Claim): Promise<RunRecord | null> {
    const claimToken = crypto.randomUUID();
    const changes = {
      status: 'running' as const,
      claimedBy: claim.instanceId,
      claimToken,
      leaseExpiresAt: new Date(claim.now.getTime() + claim.leaseMs),
      startedAt: claim.now,
      attempts: raw('attempts + 1'),
    };
    // Two probes, each in the order of its own index, so that a claim reads a
    // handful of rows whatever the size of the history: an OR of both sorted
    // by id made MySQL walk the primary key through every finished run.
    const abandoned = (query: QueryBuilder<Run>) =>
      query
        .where('status', 'running')
        .andWhere('lease_expires_at', '<', claim.now)
        .orderBy('lease_expires_at')
        .orderBy('id')
        .limit(1);
    // Both priorities in one statement: the IN list makes one index range per
    // priority, read in index order, so the first row is the answer.
    const due = (query: QueryBuilder<Run>) =>
      query
        .where('status', 'queued')
        .whereIn('priority', CLAIMED_PRIORITIES)
        .andWhere('next_attempt_at', '<=', claim.now)
        .orderBy('priority')
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(1);

    if (dialectOf(this.db) === 'mysql') {
      return retryOnContention(() =>
        this.db.transaction(async (trx) => {
          let candidate: Run | undefined;
          for (const probe of [abandoned, due]) {
            candidate = await probe(Run.query(trx).select('id')).forUpdate().skipLocked().first();
            if (candidate) break;
          }
          if (!candidate) return null;
          await Run.query(trx).patch(changes).where({ id: candidate.id });
          return (await Run.query(trx).findById(candidate.id)) ?? null;
        }),
      );
    }
    // SQLite runs one writer at a time: a conditional UPDATE of the probe's row is atomic.
    for (const probe of [abandoned, due]) {
      const claimed = await retryOnContention(() =>
        Run.query(this.db)
          .patch(changes)
          .whereIn('id', probe(Run.query(this.db).select('id'))),
      );
      if (claimed > 0) {
        return (await Run.query(this.db).where({ claim_token: claimToken }).first()) ?? null;
      }
    }
    return null;
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
