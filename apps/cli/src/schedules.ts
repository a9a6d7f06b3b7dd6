import { Args, Flags } from '@oclif/core';
import { InvalidInputError, parseName, type ScheduleRecord } from '@spotlight/core';
import { osUser } from './commands/export/user-activity';
import type { Services } from './services';

/** A schedule as `spotlight schedules ... --json` shows it. */
export interface ScheduleEntry {
  id: number;
  customer: string;
  recipient: string;
  cron: string;
  timeZone: string;
  /** Only the last N days before each run; null: all activity. */
  windowDays: number | null;
  status: 'enabled' | 'paused';
  /** ISO 8601, UTC; null while paused. */
  nextDueAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What pause and resume print with --json. */
export interface ScheduleChangeResult {
  schedule: ScheduleEntry;
  /** False when it was paused (or enabled) already: nothing was changed or recorded. */
  changed: boolean;
}

export const scheduleIdArg = {
  id: Args.string({
    required: true,
    description: 'The schedule id, as "spotlight schedules list" shows it.',
  }),
};

export const operatorFlag = {
  operator: Flags.string({ summary: 'Who does it, as the audit trail records it; the OS user by default.' }),
};

export function operatorOf(flag: string | undefined): string {
  return parseName('--operator', flag, 200) ?? osUser();
}

export async function findSchedule(services: Services, idArg: string): Promise<ScheduleRecord> {
  if (!/^[1-9]\d{0,14}$/.test(idArg))
    throw new InvalidInputError(
      `The schedule id must be a whole number, as "spotlight schedules list" shows it.`,
    );
  const schedule = await services.schedules.find(Number(idArg));
  if (!schedule)
    throw new InvalidInputError(`No schedule has the id ${idArg}; "spotlight schedules list" shows them.`);
  return schedule;
}

export function toScheduleEntry(schedule: ScheduleRecord): ScheduleEntry {
  return {
    id: schedule.id,
    customer: schedule.customer,
    recipient: schedule.recipient,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    windowDays: schedule.windowDays,
    status: schedule.enabled ? 'enabled' : 'paused',
    nextDueAt: schedule.nextDueAt?.toISOString() ?? null,
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}

/** One line per field, for `show`, `pause` and `resume` without --json. */
export function describeSchedule(entry: ScheduleEntry): string {
  return [
    `Schedule ${entry.id}: ${entry.customer} to ${entry.recipient}, ${entry.status}`,
    `  cron ${entry.cron} (${entry.timeZone})`,
    `  period ${entry.windowDays === null ? 'all activity' : `the last ${entry.windowDays} days before each run`}`,
    `  next due ${entry.nextDueAt ?? '- (paused)'}`,
  ].join('\n');
}
