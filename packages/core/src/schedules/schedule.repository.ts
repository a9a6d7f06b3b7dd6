import type { Knex } from 'knex';
import { ScheduleModel, type ScheduleRecord } from '../db/models/schedule.model';
import { isUniqueViolation } from '../db/unique-violation';
import { heldIdentityKey, scheduleIdentityKey, type ScheduleIdentity } from './schedule-identity';
import { PAUSED_BY_RECIPIENT, resumedScheduleColumns } from './unsubscribe-link';

/** Enabled (planned at its due times) or paused. */
export type ScheduleStatus = 'enabled' | 'paused';
export const SCHEDULE_STATUSES: readonly ScheduleStatus[] = ['enabled', 'paused'];

/** Export schedules, as support reads and steers them. Takes the primary database. */
export class ScheduleRepository {
  constructor(private readonly db: Knex) {}

  async findById(id: number): Promise<ScheduleRecord | null> {
    return (await ScheduleModel.query(this.db).findById(id)) ?? null;
  }

  /** By id; `customer` is a normalised domain. */
  async list(filter: { customer?: string; status?: ScheduleStatus }): Promise<ScheduleRecord[]> {
    const query = ScheduleModel.query(this.db).orderBy('id');
    if (filter.customer) query.where({ customer: filter.customer });
    if (filter.status) query.where({ enabled: filter.status === 'enabled' });
    return query;
  }

  /**
   * Pauses or resumes a schedule on behalf of someone without a token (the
   * CLI), giving up or taking back its identity key as the API does.
   * 'unchanged' when it was in that state already, so that of two people
   * doing it at once only one changes it; 'conflict' when an identical
   * schedule is enabled (the unique identity key refused the resume).
   */
  async setEnabled(
    schedule: ScheduleRecord,
    enabled: boolean,
    nextDueAt: Date | null,
    now: Date,
  ): Promise<'changed' | 'unchanged' | 'conflict'> {
    try {
      const changed = await ScheduleModel.query(this.db)
        .patch({
          enabled,
          nextDueAt,
          identityKey: heldIdentityKey({ ...schedule, enabled }),
          updatedByTokenId: null,
          updatedAt: now,
          ...(enabled ? resumedScheduleColumns() : {}),
        })
        .where({ id: schedule.id, enabled: !enabled });
      return changed > 0 ? 'changed' : 'unchanged';
    } catch (error) {
      if (isUniqueViolation(error)) return 'conflict';
      throw error;
    }
  }

  /** The enabled schedule identical to `identity`, if any. */
  async findEnabledLike(identity: ScheduleIdentity): Promise<ScheduleRecord | null> {
    const key = scheduleIdentityKey(identity);
    return (await ScheduleModel.query(this.db).where({ identity_key: key }).first()) ?? null;
  }

  /**
   * Pauses a schedule on behalf of its recipient, who followed the link of
   * `generation`; false when it was paused already or resumed since that
   * link was mailed (the generation moved on), so it is reported once.
   */
  async pauseByRecipient(id: number, generation: number, now: Date): Promise<boolean> {
    const changed = await ScheduleModel.query(this.db)
      .patch({
        enabled: false,
        nextDueAt: null,
        identityKey: null,
        pausedBy: PAUSED_BY_RECIPIENT,
        updatedByTokenId: null,
        updatedAt: now,
      })
      .where({ id, enabled: true, link_generation: generation });
    return changed > 0;
  }
}
