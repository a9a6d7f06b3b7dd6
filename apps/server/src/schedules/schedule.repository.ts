import type { Knex } from 'knex';
import { SCHEDULE_TABLE, dialectOf, retryOnContention, toDate } from '@spotlight/core';

export interface ScheduleRecord {
  id: number;
  customer: string;
  recipient: string;
  cron: string;
  timeZone: string;
  windowDays: number | null;
  enabled: boolean;
  nextDueAt: Date | null;
  createdByTokenId: number | null;
  updatedByTokenId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ScheduleFields = Pick<
  ScheduleRecord,
  'customer' | 'recipient' | 'cron' | 'timeZone' | 'windowDays' | 'enabled' | 'nextDueAt'
>;

type Row = Record<string, unknown>;

function toRecord(row: Row): ScheduleRecord {
  const int = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: Number(row.id),
    customer: String(row.customer),
    recipient: String(row.recipient),
    cron: String(row.cron),
    timeZone: String(row.time_zone),
    windowDays: int(row.window_days),
    enabled: Boolean(Number(row.enabled)),
    nextDueAt: toDate(row.next_due_at),
    createdByTokenId: int(row.created_by_token_id),
    updatedByTokenId: int(row.updated_by_token_id),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
  };
}

function toRow(fields: Partial<ScheduleFields>): Row {
  const row: Row = {};
  if (fields.customer !== undefined) row.customer = fields.customer;
  if (fields.recipient !== undefined) row.recipient = fields.recipient;
  if (fields.cron !== undefined) row.cron = fields.cron;
  if (fields.timeZone !== undefined) row.time_zone = fields.timeZone;
  if (fields.windowDays !== undefined) row.window_days = fields.windowDays;
  if (fields.enabled !== undefined) row.enabled = fields.enabled;
  if (fields.nextDueAt !== undefined) row.next_due_at = fields.nextDueAt;
  return row;
}

/** Export schedules. Takes the primary database. */
export class ScheduleRepository {
  constructor(private readonly db: Knex) {}

  async insert(fields: ScheduleFields, tokenId: number, now: Date): Promise<ScheduleRecord> {
    const row = {
      ...toRow(fields),
      created_by_token_id: tokenId,
      updated_by_token_id: tokenId,
      created_at: now,
      updated_at: now,
    };
    const [id] = await this.db(SCHEDULE_TABLE).insert(row);
    return toRecord({ ...row, id });
  }

  async update(id: number, fields: Partial<ScheduleFields>, tokenId: number, now: Date): Promise<void> {
    await this.db(SCHEDULE_TABLE)
      .where({ id })
      .update({ ...toRow(fields), updated_by_token_id: tokenId, updated_at: now });
  }

  /**
   * Pauses an enabled schedule on the system's behalf (no token); false when
   * it was already paused, so that only one of several instances reports it.
   */
  async pauseBySystem(id: number, now: Date): Promise<boolean> {
    const changed = await this.db(SCHEDULE_TABLE)
      .where({ id, enabled: true })
      .update({ enabled: false, next_due_at: null, updated_by_token_id: null, updated_at: now });
    return changed > 0;
  }

  async delete(id: number): Promise<void> {
    await this.db(SCHEDULE_TABLE).where({ id }).delete();
  }

  async findById(id: number): Promise<ScheduleRecord | null> {
    const row = await this.db(SCHEDULE_TABLE).where({ id }).first();
    return row ? toRecord(row) : null;
  }

  async list(customer: string | undefined): Promise<ScheduleRecord[]> {
    const query = this.db(SCHEDULE_TABLE).orderBy('id');
    if (customer) query.where({ customer });
    return (await query).map(toRecord);
  }

  /**
   * Takes up to `limit` enabled schedules whose due time has come, the
   * earliest first by the due-time index, and hands them to `plan` inside one
   * transaction that holds their rows until it commits. On MySQL/MariaDB the
   * rows are locked with SKIP LOCKED, so instances planning at the same time
   * take different batches instead of all reading every due schedule; SQLite
   * has one writer at a time, and its transaction takes the batch alone.
   * `plan` must do its writes through repositories bound to the transaction
   * ({@link bindTo}), and be safe to run again: a deadlock or lock-wait
   * timeout runs the whole transaction again. Returns how many were taken
   * (fewer than `limit`: no more are due) and what `plan` returned.
   */
  async planDueBatch<T>(
    now: Date,
    limit: number,
    plan: (due: ScheduleRecord[], trx: Knex.Transaction) => Promise<T>,
  ): Promise<{ taken: number; result: T }> {
    return retryOnContention(() =>
      this.db.transaction(async (trx) => {
        const query = trx(SCHEDULE_TABLE)
          .where({ enabled: true })
          .andWhere('next_due_at', '<=', now)
          .orderBy('next_due_at')
          .orderBy('id')
          .limit(limit);
        if (dialectOf(this.db) === 'mysql') query.forUpdate().skipLocked();
        const due = (await query).map(toRecord);
        return { taken: due.length, result: await plan(due, trx) };
      }),
    );
  }

  /** This repository's statements inside `trx` (a batch of {@link planDueBatch}). */
  bindTo(trx: Knex.Transaction): ScheduleRepository {
    return new ScheduleRepository(trx);
  }

  /**
   * Moves the next due time on, only if nobody did already (another instance,
   * or an edit): the condition on the old value makes it safe to race.
   */
  async advance(id: number, from: Date, to: Date | null): Promise<void> {
    const update = () => this.db(SCHEDULE_TABLE).where({ id, next_due_at: from }).update({ next_due_at: to });
    // Alone, a deadlock or a lock wait must cost a retry, not the scheduler's
    // tick; inside a transaction the whole transaction is what is tried again.
    await (this.db.isTransaction ? update() : retryOnContention(update));
  }
}
