import { Args, Flags } from '@oclif/core';
import {
  describeCron,
  InvalidInputError,
  parseName,
  type PausedBy,
  type ScheduleRecord,
  type ScheduleState,
} from '@spotlight/core';
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

/** A schedule as `spotlight schedules show --json` shows it: with why it is paused and its newest run. */
export interface ShownSchedule extends ScheduleEntry {
  /** While paused: when (ISO 8601, UTC), by whom and why, from the audit trail; null while enabled or once the entry is gone. */
  pause: { at: string; by: PausedBy; tokenId: number | null; reason: string | null } | null;
  lastRun: { id: number; status: string; finishedAt: string | null; errorCode: string | null } | null;
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
    `  cron ${entry.cron} (${entry.timeZone}): ${describeCron(entry.cron)}`,
    `  period ${entry.windowDays === null ? 'all activity' : `the last ${entry.windowDays} days before each run`}`,
    `  next due ${entry.nextDueAt ?? '- (paused)'}`,
  ].join('\n');
}

export function toShownSchedule(schedule: ScheduleRecord, state: ScheduleState): ShownSchedule {
  const { pause, lastRun } = state;
  return {
    ...toScheduleEntry(schedule),
    pause: pause && { ...pause, at: pause.at.toISOString() },
    lastRun: lastRun && {
      id: lastRun.id,
      status: lastRun.status,
      finishedAt: lastRun.finishedAt?.toISOString() ?? null,
      errorCode: lastRun.errorCode,
    },
  };
}

const PAUSED_BY: Record<PausedBy, string> = {
  token: 'token',
  support: 'support',
  system: 'the server',
  recipient: 'its recipient (the link in the email)',
};

/** `describeSchedule` and two more lines: why it is paused, and its newest run. */
export function describeShownSchedule(shown: ShownSchedule): string {
  const { pause, lastRun } = shown;
  const lines = [describeSchedule(shown)];
  if (pause) {
    const who = pause.by === 'token' ? `token ${pause.tokenId}` : PAUSED_BY[pause.by];
    lines.push(`  paused by ${who} at ${pause.at}${pause.reason ? `: ${pause.reason}` : ''}`);
  } else if (shown.status === 'paused') {
    lines.push('  paused; the audit trail no longer says why');
  }
  if (!lastRun) lines.push('  last run - (none yet)');
  else {
    const when = lastRun.finishedAt ? ` at ${lastRun.finishedAt}` : '';
    lines.push(
      `  last run ${lastRun.id}: ${lastRun.status}${when}${lastRun.errorCode ? ` (${lastRun.errorCode})` : ''}`,
    );
  }
  return lines.join('\n');
}
