import type { Knex } from 'knex';
import {
  ScheduleModel,
  dialectOf,
  heldIdentityKey,
  isUniqueViolation,
  resumedScheduleColumns,
  retryOnContention,
  ScheduleRepository as SharedScheduleRepository,
  type ScheduleRecord,
} from '@spotlight/core';

export type ScheduleFields = Pick<
  ScheduleRecord,
  'customer' | 'recipient' | 'cron' | 'timeZone' | 'windowDays' | 'enabled' | 'nextDueAt'
>;

/** Export schedules. Takes the primary database. */
export class ScheduleRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Inserts a schedule; null when an identical one is enabled already (the
   * unique identity key refused it): {@link findEnabledLike} finds that one.
   */
  async insert(fields: ScheduleFields, tokenId: number, now: Date): Promise<ScheduleRecord | null> {
    try {
      return await ScheduleModel.query(this.db).insert({
        ...fields,
        identityKey: heldIdentityKey(fields),
        createdByTokenId: tokenId,
        updatedByTokenId: tokenId,
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /**
   * Saves every field; false when the change would make it identical to
   * another enabled schedule. `resumed`: it was paused and is enabled now.
   */
  async update(
    id: number,
    fields: ScheduleFields,
    tokenId: number,
    now: Date,
    resumed = false,
  ): Promise<boolean> {
    try {
      await ScheduleModel.query(this.db)
        .patch({
          ...fields,
          identityKey: heldIdentityKey(fields),
          updatedByTokenId: tokenId,
          updatedAt: now,
          ...(resumed ? resumedScheduleColumns() : {}),
        })
        .where({ id });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** The enabled schedule identical to `fields`, if any: core's lookup, which the CLI's resume uses too. */
  findEnabledLike(fields: ScheduleFields): Promise<ScheduleRecord | null> {
    return new SharedScheduleRepository(this.db).findEnabledLike(fields);
  }

  /**
   * Pauses an enabled schedule on the system's behalf (no token); false when
   * it was already paused, so that only one of several instances reports it.
   */
  async pauseBySystem(id: number, now: Date): Promise<boolean> {
    const changed = await ScheduleModel.query(this.db)
      .patch({ enabled: false, nextDueAt: null, identityKey: null, updatedByTokenId: null, updatedAt: now })
      .where({ id, enabled: true });
    return changed > 0;
  }

  async delete(id: number): Promise<void> {
    await ScheduleModel.query(this.db).where({ id }).delete();
  }

  async findById(id: number): Promise<ScheduleRecord | null> {
    return (await ScheduleModel.query(this.db).findById(id)) ?? null;
  }

  async list(customer: string | undefined): Promise<ScheduleRecord[]> {
    const query = ScheduleModel.query(this.db).orderBy('id');
    if (customer) query.where({ customer });
    return query;
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
        const query = ScheduleModel.query(trx)
          .where({ enabled: true })
          .andWhere('next_due_at', '<=', now)
          .orderBy('next_due_at')
          .orderBy('id')
          .limit(limit);
        if (dialectOf(this.db) === 'mysql') query.forUpdate().skipLocked();
        const due = await query;
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
    const update = () =>
      ScheduleModel.query(this.db).patch({ nextDueAt: to }).where({ id, next_due_at: from });
    // Alone, a deadlock or a lock wait must cost a retry, not the scheduler's
    // tick; inside a transaction the whole transaction is what is tried again.
    await (this.db.isTransaction ? update() : retryOnContention(update));
  }
}
