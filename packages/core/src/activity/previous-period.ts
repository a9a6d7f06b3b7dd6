import { formatDateTime, fromWallClock, toWallClock } from '../workbook/zoned-time';
import type { DateRange } from './activity.types';

/** The span just before an export's range, which its "Change since" figures compare with. */
export interface PreviousPeriod {
  since: Date;
  /** The range's own `since`: the two periods meet. */
  until: Date;
  /** The period in words, in the export's zone: "Q1 2026", "March 2026", "2026-04-26 to 2026-05-09". */
  words: string;
}

const MONTH_NAMES = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });

/** The year and month when `date` is midnight on the first of a month in `timeZone`. */
function monthStart(date: Date, timeZone: string): { year: number; month: number } | null {
  const clock = toWallClock(date, timeZone);
  const midnight =
    clock.getUTCDate() === 1 &&
    clock.getUTCHours() === 0 &&
    clock.getUTCMinutes() === 0 &&
    clock.getUTCSeconds() === 0 &&
    clock.getUTCMilliseconds() === 0;
  return midnight ? { year: clock.getUTCFullYear(), month: clock.getUTCMonth() + 1 } : null;
}

/** Months counted from year 0, so that adding and subtracting need no carry. */
const monthIndex = ({ year, month }: { year: number; month: number }) => year * 12 + month - 1;
const fromIndex = (index: number) => ({ year: Math.floor(index / 12), month: (index % 12) + 1 });
const monthName = (index: number) => {
  const { year, month } = fromIndex(index);
  return MONTH_NAMES.format(new Date(Date.UTC(2000, month - 1, 1)).setUTCFullYear(year));
};

function calendarWords(first: number, months: number): string {
  const { year, month } = fromIndex(first);
  if (months === 1) return monthName(first);
  if (months === 3 && month % 3 === 1) return `Q${(month + 2) / 3} ${year}`;
  if (months === 12 && month === 1) return String(year);
  return `${monthName(first)} to ${monthName(first + months - 1)}`;
}

function isMidnight(date: Date, timeZone: string): boolean {
  return formatDateTime(date, timeZone).endsWith(' 00:00') && date.getTime() % 60_000 === 0;
}

/**
 * The previous period of a range (schema doc, "Change since the previous
 * period"): as many calendar months before it when both ends are midnight on
 * the first of a month in `timeZone`, otherwise the same length just before
 * it. A range open at either end has no length, hence no previous period: null.
 */
export function previousPeriod(range: DateRange, timeZone: string): PreviousPeriod | null {
  const { since, until } = range;
  if (!since || !until) return null;
  const start = monthStart(since, timeZone);
  const end = monthStart(until, timeZone);
  if (start && end) {
    const months = monthIndex(end) - monthIndex(start);
    const first = monthIndex(start) - months;
    return {
      since: fromWallClock({ ...fromIndex(first), day: 1 }, timeZone),
      until: since,
      words: calendarWords(first, months),
    };
  }
  const previousSince = new Date(since.getTime() - (until.getTime() - since.getTime()));
  const wholeDays = isMidnight(previousSince, timeZone) && isMidnight(since, timeZone);
  const words = wholeDays
    ? `${formatDateTime(previousSince, timeZone).slice(0, 10)} to ${formatDateTime(new Date(since.getTime() - 1), timeZone).slice(0, 10)}`
    : `${formatDateTime(previousSince, timeZone)} to ${formatDateTime(since, timeZone)}`;
  return { since: previousSince, until: since, words };
}
