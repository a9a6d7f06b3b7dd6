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
  return new Date(
    Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second) +
      date.getUTCMilliseconds(),
  );
}

/** The instant at which the wall clock of `timeZone` shows that time (the earlier one when the clock repeats). */
export function fromWallClock(
  fields: { year: number; month: number; day: number; hour?: number; minute?: number },
  timeZone: string,
): Date {
  const asUtc = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour ?? 0, fields.minute ?? 0);
  // Two corrections settle every zone, across a change of offset too.
  let guess = asUtc;
  for (let i = 0; i < 2; i += 1) {
    const offset = toWallClock(new Date(guess), timeZone).getTime() - guess;
    guess = asUtc - offset;
  }
  return new Date(guess);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-03-01 14:05" as the wall clock of `timeZone` shows it. */
export function formatDateTime(date: Date, timeZone: string): string {
  const c = wallClock(date, timeZone);
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}`;
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
 * The period in words, in `timeZone`: "all time", "1 January 2026 to
 * 31 March 2026" (the end day included) or, for bounds that are not
 * midnight there, date and time ("until" being exclusive).
 */
export function describePeriod(range: DateRange, timeZone: string): string {
  const { since, until } = range;
  if (!since && !until) return 'all time';
  const wholeDays = (!since || isMidnight(since, timeZone)) && (!until || isMidnight(until, timeZone));
  if (wholeDays) {
    const lastDay = until && new Date(until.getTime() - 1);
    if (since && lastDay) return `${formatDay(since, timeZone)} to ${formatDay(lastDay, timeZone)}`;
    return since ? `from ${formatDay(since, timeZone)}` : `up to ${formatDay(lastDay!, timeZone)}`;
  }
  const from = since ? `from ${formatDateTime(since, timeZone)}` : 'from the beginning';
  const to = until ? `until ${formatDateTime(until, timeZone)} (not included)` : 'until now';
  return `${from} ${to}`;
}
