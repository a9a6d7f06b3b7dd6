import { fromWallClock, toWallClock } from '../workbook/zoned-time';

/**
 * The period a schedule's run exports: the `windowDays` whole days of the
 * schedule's zone before its due time, from the same wall-clock time that many
 * days earlier. Across a daylight saving change that is 23 or 25 hours more
 * or less than `windowDays` × 24 hours. Without a window: all activity.
 */
export function scheduleWindow(
  dueAt: Date,
  windowDays: number | null,
  timeZone: string,
): { since: Date | null; until: Date | null } {
  if (!windowDays) return { since: null, until: null };
  const start = new Date(toWallClock(dueAt, timeZone).getTime());
  start.setUTCDate(start.getUTCDate() - windowDays);
  const since = fromWallClock(
    {
      year: start.getUTCFullYear(),
      month: start.getUTCMonth() + 1,
      day: start.getUTCDate(),
      hour: start.getUTCHours(),
      minute: start.getUTCMinutes(),
    },
    timeZone,
  );
  return {
    since: new Date(since.getTime() + start.getUTCSeconds() * 1000 + start.getUTCMilliseconds()),
    until: dueAt,
  };
}
