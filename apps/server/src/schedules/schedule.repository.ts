import type { Knex } from 'knex';
import { SCHEDULE_TABLE, retryOnContention, toDate } from '@spotlight/core';

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

  /** Enabled schedules whose next due time has come. */
  async findDue(now: Date): Promise<ScheduleRecord[]> {
    const rows = await retryOnContention(() =>
      this.db(SCHEDULE_TABLE).where({ enabled: true }).andWhere('next_due_at', '<=', now).orderBy('id'),
    );
    return rows.map(toRecord);
  }

  /**
   * Moves the next due time on, only if nobody did already (another instance,
   * or an edit): the condition on the old value makes it safe to race.
   */
  async advance(id: number, from: Date, to: Date | null): Promise<void> {
    // Every instance's scheduler runs this on every tick: a deadlock or a lock
    // wait must cost a retry, not the tick.
    await retryOnContention(() =>
      this.db(SCHEDULE_TABLE).where({ id, next_due_at: from }).update({ next_due_at: to }),
    );
  }
}
