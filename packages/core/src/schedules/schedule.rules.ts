import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import { InvalidInputError } from '../errors';
import { formatIsoOffset } from '../workbook/zoned-time';
import { parseTimeZone } from '../export/export.request';

const DAY_MS = 86_400_000;
/** How far ahead the gap between due times is checked: this many due times, and at most a year. */
const GAP_CHECK_RUNS = 500;
const GAP_CHECK_HORIZON_MS = 366 * DAY_MS;

/**
 * Parses a five-field cron expression in an IANA time zone; throws
 * InvalidInputError saying which part is wrong.
 */
export function parseCron(expression: string, timeZone: string): Cron {
  parseTimeZone(timeZone);
  const fields = expression.trim().split(/\s+/).length;
  // croner also takes a seconds field and nicknames; a sixth field is how a schedule ended up firing every second.
  if (fields !== 5)
    throw new InvalidInputError(
      `cron "${expression}" is not a cron expression like "0 7 * * 1": it has ${fields} field${fields === 1 ? '' : 's'}; give five (minute hour day-of-month month weekday), without seconds.`,
    );
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone: timeZone, paused: true });
  } catch (error) {
    throw new InvalidInputError(
      `cron "${expression}" is not a cron expression like "0 7 * * 1": ${(error as Error).message}`,
    );
  }
  if (!cron.nextRun())
    throw new InvalidInputError(`cron "${expression}" never fires again; give one with a future time.`);
  return cron;
}

/**
 * Refuses a schedule whose due times come closer than `minMinutes` apart,
 * checked over its next due times in its own time zone (daylight saving included).
 */
export function checkInterval(expression: string, cron: Cron, minMinutes: number, from: Date): void {
  const horizon = from.getTime() + GAP_CHECK_HORIZON_MS;
  let previous = cron.nextRun(from);
  for (let checked = 0; previous && checked < GAP_CHECK_RUNS; checked += 1) {
    const next = cron.nextRun(previous);
    if (!next || next.getTime() > horizon) return;
    const gapMinutes = (next.getTime() - previous.getTime()) / 60_000;
    if (gapMinutes < minMinutes) {
      throw new InvalidInputError(
        `cron "${expression}" comes due ${Math.round(gapMinutes)} minutes apart (${previous.toISOString()} and ${next.toISOString()}); schedules here must be at least ${minMinutes} minutes apart, e.g. "0 * * * *" for hourly.`,
      );
    }
    previous = next;
  }
}

/** A cron in English words, e.g. "At 07:00, only on Monday"; the cron itself if it cannot be read. */
export function describeCron(expression: string): string {
  try {
    return cronstrue.toString(expression.trim(), { use24HourTimeFormat: true, verbose: false });
  } catch {
    return expression.trim();
  }
}

/** What a schedule with this cron and zone would do, before it is saved. */
export interface CronPreview {
  cron: string;
  timeZone: string;
  /** The cron in English words, e.g. "At 07:00, only on Monday". */
  description: string;
  /** The next due times, ISO 8601 with the zone's offset at each. */
  nextDue: string[];
  minimumIntervalMinutes: number;
}

/**
 * The next `count` due times of a cron in its zone, with the rules a saved
 * schedule must pass ({@link parseCron}, {@link checkInterval}): what is
 * refused here is refused on save, with the same message.
 */
export function previewCron(
  expression: string,
  timeZone: string,
  minMinutes: number,
  from: Date,
  count = 5,
): CronPreview {
  const cron = expression.trim();
  const zone = timeZone.trim();
  const parsed = parseCron(cron, zone);
  checkInterval(cron, parsed, minMinutes, from);
  return {
    cron,
    timeZone: zone,
    description: describeCron(cron),
    nextDue: parsed.nextRuns(count, from).map((due) => formatIsoOffset(due, zone)),
    minimumIntervalMinutes: minMinutes,
  };
}
