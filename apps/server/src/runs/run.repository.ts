import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { dialectOf, toDate, type ExportSummary } from '@spotlight/core';
import { isUniqueViolation } from '../database/unique-violation';

export const RUN_TABLE = 'spotlight_export_run';

export type RunStatus = 'queued' | 'running' | 'sent' | 'failed';
export type RunTrigger = 'api' | 'schedule';

export interface RunRecord {
  id: number;
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  status: RunStatus;
  trigger: RunTrigger;
  scheduleId: number | null;
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
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewRun {
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  trigger: RunTrigger;
  tokenId: number | null;
  scheduleId?: number;
  dueAt?: Date;
  /** For API runs: the same key while queued or running means the same export. */
  pendingKey?: string;
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
    trigger: row.trigger_kind as RunTrigger,
    scheduleId: int(row.schedule_id),
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
    error: (row.error as string | null) ?? null,
    createdAt: toDate(row.created_at)!,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
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
      trigger_kind: run.trigger,
      schedule_id: run.scheduleId ?? null,
      due_at: run.dueAt ?? null,
      pending_key: run.pendingKey ?? null,
      token_id: run.tokenId,
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
    };
    try {
      const [id] = await this.db(RUN_TABLE).insert(row);
      return toRecord({ ...row, id });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
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
    before?: number;
    limit: number;
  }): Promise<RunRecord[]> {
    const query = this.db(RUN_TABLE).orderBy('id', 'desc').limit(filter.limit);
    if (filter.customer) query.where({ customer: filter.customer });
    if (filter.status) query.where({ status: filter.status });
    if (filter.before) query.where('id', '<', filter.before);
    return (await query).map(toRecord);
  }

  /**
   * Atomically takes the oldest run that is due (queued and past its next
   * attempt) or abandoned (running with an expired lease) for this instance.
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
    const claimable = (query: Knex.QueryBuilder) =>
      query.where((where) =>
        where
          .where((queued) => queued.where('status', 'queued').andWhere('next_attempt_at', '<=', claim.now))
          .orWhere((abandoned) =>
            abandoned.where('status', 'running').andWhere('lease_expires_at', '<', claim.now),
          ),
      );

    if (dialectOf(this.db) === 'mysql') {
      return this.db.transaction(async (trx) => {
        const candidate = await claimable(trx(RUN_TABLE).select('id'))
          .orderBy('id')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .first();
        if (!candidate) return null;
        await trx(RUN_TABLE).where({ id: candidate.id }).update(changes);
        return toRecord(await trx(RUN_TABLE).where({ id: candidate.id }).first());
      });
    }
    const oldest = claimable(this.db(RUN_TABLE).select('id')).orderBy('id').limit(1);
    const claimed = await claimable(this.db(RUN_TABLE).whereIn('id', oldest)).update(changes);
    if (claimed === 0) return null;
    const row = await this.db(RUN_TABLE).where({ claim_token: claimToken }).first();
    return row ? toRecord(row) : null;
  }

  /** Keeps the claim alive; false when this instance no longer holds it. */
  async extendLease(run: RunRecord, until: Date): Promise<boolean> {
    return (await this.mine(run).update({ lease_expires_at: until })) > 0;
  }

  /** Recorded just before the SMTP transaction starts; false when the claim was lost (then do not send). */
  async markDeliveryStarted(run: RunRecord, at: Date): Promise<boolean> {
    return (await this.mine(run).update({ delivery_started_at: at })) > 0;
  }

  /** Marks the run sent and records its summary in one statement. */
  async finishSent(run: RunRecord, summary: ExportSummary, at: Date): Promise<boolean> {
    return (
      (await this.mine(run).update({
        status: 'sent',
        ...this.released(),
        active_users: summary.active,
        inactive_users: summary.inactive,
        bytes: summary.bytes,
        queries: summary.queries,
        duration_ms: summary.durationMs,
        message_id: summary.messageId?.slice(0, 250) ?? null,
        error: null,
        finished_at: at,
      })) > 0
    );
  }

  async finishFailed(run: RunRecord, error: string, at: Date): Promise<boolean> {
    return (
      (await this.mine(run).update({ status: 'failed', ...this.released(), error, finished_at: at })) > 0
    );
  }

  /** Puts the run back in the queue for another attempt at `next`, by any instance. */
  async retryLater(run: RunRecord, error: string, next: Date): Promise<boolean> {
    return (
      (await this.mine(run).update({
        status: 'queued',
        claimed_by: null,
        claim_token: null,
        lease_expires_at: null,
        delivery_started_at: null,
        next_attempt_at: next,
        error,
      })) > 0
    );
  }

  private released() {
    return { claim_token: null, lease_expires_at: null, pending_key: null };
  }

  private mine(run: RunRecord): Knex.QueryBuilder {
    return this.db(RUN_TABLE).where({ id: run.id, claim_token: run.claimToken, status: 'running' });
  }
}
