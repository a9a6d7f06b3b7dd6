import type { DateRange } from '../activity/activity.types';

/** The zone exports show their dates in when none is asked for. */
export const DEFAULT_TIME_ZONE = 'UTC';

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows the zone (an IANA name such as Europe/Paris, or UTC). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(date: Date, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/**
 * The date whose UTC fields are the wall-clock time in `timeZone`: a cell
 * holds no zone, so this is what a spreadsheet must be given to show the
 * time a person in that zone would read.
 */
export function toWallClock(date: Date, timeZone: string): Date {
  // UTC's wall clock is the instant itself: no formatting for every date cell of the default export.
  if (timeZone === 'UTC' || Number.isNaN(date.getTime())) return date;
  const clock = wallClock(date, timeZone);
  return new Date(utcMs(clock) + date.getUTCMilliseconds());
}

/** Date.UTC without its quirk: years 0 to 99 stay themselves instead of becoming 1900 to 1999. */
function utcMs(fields: {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
}): number {
  const { year, month, day, hour = 0, minute = 0, second = 0 } = fields;
  // The common case, with no Date made: every date cell of a zoned export comes here.
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  return new Date(Date.UTC(2000, 0, 1, hour, minute, second)).setUTCFullYear(year, month - 1, day);
}

const DAY_MS = 86_400_000;

/**
 * The instant at which the wall clock of `timeZone` shows that time: the
 * earlier one when the clock repeats it, and when the clock skips it (a
 * day whose midnight does not exist, in Santiago or Havana), the instant
 * the clock jumps, the first one showing a later time.
 */
export function fromWallClock(
  fields: { year: number; month: number; day: number; hour?: number; minute?: number },
  timeZone: string,
): Date {
  const wanted = utcMs(fields);
  const shown = (instant: number) => toWallClock(new Date(instant), timeZone).getTime();
  // The zone's offsets a day before and a day after: no zone changes twice in two days.
  const candidates = [wanted - DAY_MS, wanted + DAY_MS].map((instant) => wanted - (shown(instant) - instant));
  const exact = candidates.filter((instant) => shown(instant) === wanted);
  if (exact.length > 0) return new Date(Math.min(...exact));
  // Skipped: the clock shows less than wanted at the earlier candidate and more at the later one.
  let before = Math.min(...candidates);
  let after = Math.max(...candidates);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (shown(middle) >= wanted) after = middle;
    else before = middle;
  }
  return new Date(after);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-03-01 14:05" as the wall clock of `timeZone` shows it. */
export function formatDateTime(date: Date, timeZone: string): string {
  const c = wallClock(date, timeZone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}`;
}

/** "2026-03-01": the day the wall clock of `timeZone` shows. */
export function formatIsoDay(date: Date, timeZone: string): string {
  const c = wallClock(date, timeZone);
  return `${String(c.year).padStart(4, '0')}-${pad(c.month)}-${pad(c.day)}`;
}

/** "1 March 2026" as the wall clock of `timeZone` shows it. */
export function formatDay(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(date);
}

function isMidnight(date: Date, timeZone: string): boolean {
  const c = wallClock(date, timeZone);
  return c.hour === 0 && c.minute === 0 && c.second === 0 && date.getUTCMilliseconds() === 0;
}

/**
 * The range in the terms a person gives it, in `timeZone`'s days: "from
 * 2026-01-01 to 2026-03-31" (the end day included), "from 2026-01-01", "up
 * to 2026-03-31", or, for bounds that are not midnight there, date and time
 * ("until" being exclusive). "all time" without bounds.
 */
export function describeRangeInDays(range: DateRange, timeZone: string): string {
  const { since, until } = range;
  if (!since && !until) return 'all time';
  const wholeDays = (!since || isMidnight(since, timeZone)) && (!until || isMidnight(until, timeZone));
  if (wholeDays) {
    const lastDay = until && formatIsoDay(new Date(until.getTime() - 1), timeZone);
    const firstDay = since && formatIsoDay(since, timeZone);
    if (firstDay && lastDay) return `from ${firstDay} to ${lastDay}`;
    return firstDay ? `from ${firstDay}` : `up to ${lastDay}`;
  }
  const from = since ? `from ${formatDateTime(since, timeZone)}` : 'from the beginning';
  const to = until ? `until ${formatDateTime(until, timeZone)} (not included)` : 'until now';
  return `${from} ${to}`;
}

/**
 * The period in words, in `timeZone`, as a name (a subject, a "Period:"
 * line) and as the end of a sentence ("Here is the activity, <clause>.").
 * Whole days read "1 January 2026 to 31 March 2026" (the end day included);
 * bounds that are not midnight there read as date and time, "until" being
 * exclusive.
 */
function periodWords(range: DateRange, timeZone: string): { name: string; clause: string } {
  const { since, until } = range;
  if (!since && !until) return { name: 'all time', clause: 'for all time' };
  const wholeDays = (!since || isMidnight(since, timeZone)) && (!until || isMidnight(until, timeZone));
  if (wholeDays) {
    const lastDay = until && formatDay(new Date(until.getTime() - 1), timeZone);
    const firstDay = since && formatDay(since, timeZone);
    if (firstDay && lastDay)
      return { name: `${firstDay} to ${lastDay}`, clause: `for ${firstDay} to ${lastDay}` };
    if (firstDay) return { name: `from ${firstDay}`, clause: `since ${firstDay}` };
    return { name: `up to ${lastDay}`, clause: `up to ${lastDay}` };
  }
  const from = since ? `from ${formatDateTime(since, timeZone)}` : 'from the beginning';
  const to = until ? `until just before ${formatDateTime(until, timeZone)}` : 'until now';
  return { name: `${from} ${to}`, clause: `${from} ${to}` };
}

/** The period as a name: "all time", "1 January 2026 to 31 March 2026", "from 1 November 2026". */
export function describePeriod(range: DateRange, timeZone: string): string {
  return periodWords(range, timeZone).name;
}

/** The period ending a sentence: "for all time", "since 1 November 2026", "up to 31 March 2026". */
export function periodClause(range: DateRange, timeZone: string): string {
  return periodWords(range, timeZone).clause;
}

/** "2026-03-29T09:00:00+02:00": the instant as ISO 8601 with the offset `timeZone` has then. */
export function formatIsoOffset(date: Date, timeZone: string): string {
  const wall = toWallClock(new Date(Math.floor(date.getTime() / 1000) * 1000), timeZone);
  const offsetMinutes = Math.round((wall.getTime() - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${wall.toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
