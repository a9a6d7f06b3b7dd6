import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { dialectOf, toDate } from '../db/connection';
import { normaliseDomain } from '../activity/activity.repository';
import type { ExportSummary } from '../export/export.service';
import { isUniqueViolation } from '../db/unique-violation';
import { retryOnContention } from '../db/contention';

export const RUN_TABLE = 'spotlight_export_run';

export const RUN_STATUSES = ['queued', 'running', 'sent', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Who asked for the export: support through the CLI, an admin through the API, or a schedule. */
export type RunSource = 'cli' | 'api' | 'schedule';
export const RUN_SOURCES: readonly RunSource[] = ['cli', 'api', 'schedule'];
export type RunDelivery = 'attachment' | 'link';

/**
 * The order the queue is claimed in, lower first: on-demand exports (someone
 * is waiting for them) ahead of scheduled ones.
 */
export const RUN_PRIORITIES = { onDemand: 0, scheduled: 1 } as const;
const CLAIMED_PRIORITIES = [RUN_PRIORITIES.onDemand, RUN_PRIORITIES.scheduled];

export interface RunRecord {
  id: number;
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  status: RunStatus;
  source: RunSource;
  /** Who ran it from the CLI (the OS user or --operator); null for API and schedules. */
  operator: string | null;
  scheduleId: number | null;
  /** The zone the export shows its dates in. */
  timeZone: string;
  dueAt: Date | null;
  tokenId: number | null;
  attempts: number;
  nextAttemptAt: Date;
  claimedBy: string | null;
  claimToken: string | null;
  leaseExpiresAt: Date | null;
  deliveryStartedAt: Date | null;
  active: number | null;
  inactive: number | null;
  bytes: number | null;
  queries: number | null;
  durationMs: number | null;
  messageId: string | null;
  delivery: RunDelivery | null;
  linkExpiresAt: Date | null;
  error: string | null;
  /** Core's error code (RECIPIENT_NOT_ALLOWED, MAIL_FAILED, ...) when it failed. */
  errorCode: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewRun {
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  source: RunSource;
  tokenId: number | null;
  scheduleId?: number;
  dueAt?: Date;
  /** Not claimed before this time (a scheduled run's jitter); at once when absent or past. */
  notBefore?: Date;
  /** UTC when not given. */
  timeZone?: string;
  /** For API runs: the same key while queued or running means the same export. */
  pendingKey?: string;
}

/** An export that ran outside the queue, as {@link RunRepository.insertFinished} records it. */
export interface FinishedRun {
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  status: 'sent' | 'failed';
  source: RunSource;
  operator: string | null;
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

type Row = Record<string, unknown>;

function toRecord(row: Row): RunRecord {
  const int = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: Number(row.id),
    customer: String(row.customer),
    recipient: String(row.recipient),
    since: toDate(row.since),
    until: toDate(row.until),
    status: row.status as RunStatus,
    source: row.source as RunSource,
    operator: (row.operator as string | null) ?? null,
    scheduleId: int(row.schedule_id),
    timeZone: typeof row.time_zone === 'string' ? row.time_zone : 'UTC',
    dueAt: toDate(row.due_at),
    tokenId: int(row.token_id),
    attempts: Number(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at)!,
    claimedBy: (row.claimed_by as string | null) ?? null,
    claimToken: (row.claim_token as string | null) ?? null,
    leaseExpiresAt: toDate(row.lease_expires_at),
    deliveryStartedAt: toDate(row.delivery_started_at),
    active: int(row.active_users),
    inactive: int(row.inactive_users),
    bytes: int(row.bytes),
    queries: int(row.queries),
    durationMs: int(row.duration_ms),
    messageId: (row.message_id as string | null) ?? null,
    delivery: (row.delivery as RunDelivery | null) ?? null,
    linkExpiresAt: toDate(row.link_expires_at),
    error: (row.error as string | null) ?? null,
    errorCode: (row.error_code as string | null) ?? null,
    createdAt: toDate(row.created_at)!,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
  };
}

/** What an export's summary records on its run; all null when it got no summary. */
function summaryColumns(summary: ExportSummary | null) {
  return {
    active_users: summary?.active ?? null,
    inactive_users: summary?.inactive ?? null,
    bytes: summary?.bytes ?? null,
    queries: summary?.queries ?? null,
    message_id: summary?.messageId?.slice(0, 250) ?? null,
    delivery: summary?.delivery ?? null,
    link_expires_at: summary?.expiresAt ? new Date(summary.expiresAt) : null,
  };
}

/** Export runs, queued by the API or the scheduler and claimed by the workers of every instance. */
export class RunRepository {
  constructor(private readonly db: Knex) {}

  /** Inserts a queued run; null when its unique key (pending export, or schedule and due time) already exists. */
  async insertQueued(run: NewRun, now: Date): Promise<RunRecord | null> {
    const row = {
      customer: run.customer,
      recipient: run.recipient,
      since: run.since,
      until: run.until,
      status: 'queued',
      source: run.source,
      schedule_id: run.scheduleId ?? null,
      time_zone: run.timeZone ?? 'UTC',
      due_at: run.dueAt ?? null,
      pending_key: run.pendingKey ?? null,
      token_id: run.tokenId,
      priority: run.source === 'schedule' ? RUN_PRIORITIES.scheduled : RUN_PRIORITIES.onDemand,
      attempts: 0,
      next_attempt_at: run.notBefore && run.notBefore > now ? run.notBefore : now,
      created_at: now,
    };
    const insert = () => this.db(RUN_TABLE).insert(row);
    try {
      // Inside a transaction, the whole transaction is what is tried again on contention.
      const [id] = await (this.db.isTransaction ? insert() : retryOnContention(insert));
      return toRecord({ ...row, id });
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
    const row = await this.db(RUN_TABLE).where({ pending_key: pendingKey }).first();
    return row ? toRecord(row) : null;
  }

  async findById(id: number): Promise<RunRecord | null> {
    const row = await this.db(RUN_TABLE).where({ id }).first();
    return row ? toRecord(row) : null;
  }

  /** Newest first, one query; `customers` null means every customer. */
  async list(filter: {
    customer?: string;
    status?: RunStatus;
    source?: RunSource;
    before?: number;
    limit: number;
  }): Promise<RunRecord[]> {
    const query = this.db(RUN_TABLE).orderBy('id', 'desc').limit(filter.limit);
    if (filter.customer) query.where({ customer: normaliseDomain(filter.customer) });
    if (filter.status) query.where({ status: filter.status });
    if (filter.source) query.where({ source: filter.source });
    if (filter.before) query.where('id', '<', filter.before);
    return (await query).map(toRecord);
  }

  /**
   * The latest finished runs (sent or failed) of one schedule, newest due time
   * first, in one query: how many due times in a row have failed. Runs that
   * finished before `finishedAfter` (the schedule's last change) do not count.
   */
  async recentFinishedForSchedule(
    scheduleId: number,
    limit: number,
    finishedAfter?: Date,
  ): Promise<RunRecord[]> {
    const query = this.db(RUN_TABLE)
      .where({ schedule_id: scheduleId })
      .whereIn('status', ['sent', 'failed'])
      .orderBy('due_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (finishedAfter) query.where('finished_at', '>', finishedAfter);
    return (await query).map(toRecord);
  }

  /**
   * Deletes up to `batch` sent or failed runs that finished before `cutoff`,
   * by the finished_at index; queued and running runs are never touched.
   * Returns how many went; call again until it returns less than `batch`.
   */
  async deleteFinishedBefore(cutoff: Date, batch: number): Promise<number> {
    const ids: number[] = (
      await this.db(RUN_TABLE)
        .select('id')
        .where('finished_at', '<', cutoff)
        .whereIn('status', ['sent', 'failed'])
        .orderBy('finished_at')
        .limit(batch)
    ).map((row: { id: number }) => Number(row.id));
    if (ids.length === 0) return 0;
    await retryOnContention(() =>
      this.db(RUN_TABLE).whereIn('id', ids).whereIn('status', ['sent', 'failed']).delete(),
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
      status: 'running',
      claimed_by: claim.instanceId,
      claim_token: claimToken,
      lease_expires_at: new Date(claim.now.getTime() + claim.leaseMs),
      started_at: claim.now,
      attempts: this.db.raw('attempts + 1'),
    };
    // Two probes, each in the order of its own index, so that a claim reads a
    // handful of rows whatever the size of the history: an OR of both sorted
    // by id made MySQL walk the primary key through every finished run.
    const abandoned = (query: Knex.QueryBuilder) =>
      query
        .where('status', 'running')
        .andWhere('lease_expires_at', '<', claim.now)
        .orderBy('lease_expires_at')
        .orderBy('id')
        .limit(1);
    // Both priorities in one statement: the IN list makes one index range per
    // priority, read in index order, so the first row is the answer.
    const due = (query: Knex.QueryBuilder) =>
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
          let candidate: { id: number } | undefined;
          for (const probe of [abandoned, due]) {
            candidate = await probe(trx(RUN_TABLE).select('id')).forUpdate().skipLocked().first();
            if (candidate) break;
          }
          if (!candidate) return null;
          await trx(RUN_TABLE).where({ id: candidate.id }).update(changes);
          return toRecord(await trx(RUN_TABLE).where({ id: candidate.id }).first());
        }),
      );
    }
    // SQLite runs one writer at a time: a conditional UPDATE of the probe's row is atomic.
    for (const probe of [abandoned, due]) {
      const claimed = await retryOnContention(() =>
        this.db(RUN_TABLE)
          .whereIn('id', probe(this.db(RUN_TABLE).select('id')))
          .update(changes),
      );
      if (claimed > 0) {
        const row = await this.db(RUN_TABLE).where({ claim_token: claimToken }).first();
        return row ? toRecord(row) : null;
      }
    }
    return null;
  }

  /** Keeps the claim alive; false when this instance no longer holds it. */
  async extendLease(run: RunRecord, until: Date): Promise<boolean> {
    return this.updateMine(run, { lease_expires_at: until });
  }

  /** Recorded just before the SMTP transaction starts; false when the claim was lost (then do not send). */
  async markDeliveryStarted(run: RunRecord, at: Date): Promise<boolean> {
    return this.updateMine(run, { delivery_started_at: at });
  }

  /** Marks the run sent and records its summary in one statement. */
  async finishSent(run: RunRecord, summary: ExportSummary, at: Date): Promise<boolean> {
    return this.updateMine(run, {
      status: 'sent',
      ...this.released(),
      ...summaryColumns(summary),
      duration_ms: summary.durationMs,
      error: null,
      error_code: null,
      finished_at: at,
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
      error_code: errorCode,
      finished_at: at,
    });
  }

  /**
   * Records an export that ran outside the queue (the CLI's), already
   * finished, in one INSERT; returns its id.
   */
  async insertFinished(run: FinishedRun): Promise<number> {
    const [id] = await retryOnContention(() =>
      this.db(RUN_TABLE).insert({
        customer: run.customer.slice(0, 100),
        recipient: run.recipient.slice(0, 254),
        since: run.since,
        until: run.until,
        status: run.status,
        source: run.source,
        operator: run.operator?.slice(0, 200) ?? null,
        time_zone: run.summary?.timeZone ?? 'UTC',
        token_id: null,
        attempts: 1,
        next_attempt_at: run.startedAt,
        ...summaryColumns(run.summary),
        duration_ms: run.durationMs,
        error: run.error,
        error_code: run.errorCode,
        created_at: run.startedAt,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
      }),
    );
    return Number(id);
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
      attempts: this.db.raw('attempts - 1'),
      error: note,
    });
  }

  private requeued(next: Date) {
    return {
      status: 'queued',
      claimed_by: null,
      claim_token: null,
      lease_expires_at: null,
      delivery_started_at: null,
      next_attempt_at: next,
    };
  }

  private released() {
    return { claim_token: null, lease_expires_at: null, pending_key: null };
  }

  /** Changes the run if this claim still holds it, retrying on contention; false when it does not. */
  private async updateMine(run: RunRecord, changes: Record<string, unknown>): Promise<boolean> {
    return (await retryOnContention(() => this.mine(run).update(changes))) > 0;
  }

  private mine(run: RunRecord): Knex.QueryBuilder {
    return this.db(RUN_TABLE).where({ id: run.id, claim_token: run.claimToken, status: 'running' });
  }
}
