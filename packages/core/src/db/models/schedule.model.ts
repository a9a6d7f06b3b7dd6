import type { ModelObject } from 'objection';
import { ProductModel } from './product.model';
import { SCHEDULE_TABLE } from './tables';

export type ScheduleRecord = ModelObject<ScheduleModel>;

/** A row of spotlight_export_schedule: a recurring export and when it is next due. */
export class ScheduleModel extends ProductModel {
  static override tableName = SCHEDULE_TABLE;
  static override dateAttributes = ['nextDueAt', 'createdAt', 'updatedAt'];
  static override numberAttributes = [
    'id',
    'windowDays',
    'createdByTokenId',
    'updatedByTokenId',
    'linkGeneration',
  ];
  static override booleanAttributes = ['enabled'];

  declare id: number;
  declare customer: string;
  declare recipient: string;
  declare cron: string;
  declare timeZone: string;
  declare windowDays: number | null;
  declare enabled: boolean;
  /** Null while paused. */
  declare nextDueAt: Date | null;
  /** scheduleIdentityKey while enabled, null while paused: unique, so identical enabled schedules are one. */
  declare identityKey: string | null;
  declare createdByTokenId: number | null;
  /** Null when the system (paused it after failing in a row) or the CLI made the last change. */
  declare updatedByTokenId: number | null;
  /** In every unsubscribe link; goes up on each resume, so links mailed before stop working. */
  declare linkGeneration: number;
  /** Who paused it when not support: 'recipient' (an unsubscribe link); null otherwise and while enabled. */
  declare pausedBy: string | null;
  declare createdAt: Date;
  declare updatedAt: Date;
}
