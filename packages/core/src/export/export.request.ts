import { InvalidInputError } from '../errors';
import { parseCustomer, parseName, parseRecipient } from '../input/address.rules';
import type { DateRange } from '../activity/activity.types';
import { DEFAULT_TIME_ZONE, fromWallClock, isKnownTimeZone } from '../workbook/zoned-time';

export interface ExportRequestInput {
  customer: string;
  recipient: string;
  /** Date (YYYY-MM-DD, a day in `timeZone`) or ISO 8601 date-time; inclusive. */
  since?: string | Date;
  /** Date (YYYY-MM-DD: that whole day is included) or ISO 8601 date-time (exclusive). */
  until?: string | Date;
  /** IANA zone for bare dates and for every date shown; UTC by default. */
  timeZone?: string;
}

export interface ExportRequest {
  customer: string;
  recipient: string;
  range: DateRange;
  timeZone: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** What the caller calls the range's two ends and the zone, for messages: request fields, or the CLI's flags. */
export interface RangeNames {
  since: string;
  until: string;
  timeZone?: string;
}

export const RANGE_FIELDS: RangeNames = { since: 'since', until: 'until', timeZone: 'timeZone' };

/** A time zone Intl knows (an IANA name such as Europe/Paris, or UTC); UTC when not given. */
export function parseTimeZone(timeZone: string | undefined, names: RangeNames = RANGE_FIELDS): string {
  const value = timeZone?.trim();
  if (!value) return DEFAULT_TIME_ZONE;
  if (!isKnownTimeZone(value)) {
    throw new InvalidInputError(
      `${names.timeZone ?? 'timeZone'} "${timeZone}" is not a time zone: use an IANA name such as Europe/Paris, or UTC.`,
    );
  }
  // Intl's own spelling, so that "europe/paris" and "Europe/Paris" are one zone.
  return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
}

/** Reads a range bound; a bare `until` date means "to the end of that day". */
export function parseBound(
  value: string | Date | undefined,
  bound: 'since' | 'until',
  names: RangeNames = RANGE_FIELDS,
  timeZone: string = DEFAULT_TIME_ZONE,
): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidInputError(`${names[bound]} is not a valid date.`);
    return value;
  }
  const text = value.trim();
  const day = DATE_ONLY.test(text) ? new Date(`${text}T00:00:00Z`) : null;
  const date = DATE_TIME.test(text) ? new Date(text) : null;
  const validDay = day && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
  // Year 0 (1 BC) and before: no time zone's calendar names it the same way.
  const beforeYearOne = (validDay ? day : date)?.getUTCFullYear() ?? 1;
  if ((!validDay && (!date || Number.isNaN(date.getTime()))) || beforeYearOne < 1) {
    throw new InvalidInputError(
      `${names[bound]} "${value}" is not a date: use YYYY-MM-DD or an ISO 8601 date-time with a time zone.`,
    );
  }
  if (!validDay) return date!;
  // A bare date is a day in the export's zone; "until" includes that whole day.
  if (bound === 'until') day.setUTCDate(day.getUTCDate() + 1);
  return fromWallClock(
    { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() },
    timeZone,
  );
}

export function parseRange(
  since?: string | Date,
  until?: string | Date,
  names: RangeNames = RANGE_FIELDS,
  timeZone: string = DEFAULT_TIME_ZONE,
): DateRange {
  const range: DateRange = {
    since: parseBound(since, 'since', names, timeZone),
    until: parseBound(until, 'until', names, timeZone),
  };
  if (range.since && range.until && range.since >= range.until) {
    throw new InvalidInputError(`${names.since} must be earlier than ${names.until}.`);
  }
  return range;
}

/** The longest name an export email may give as who asked for it. */
export const REQUESTED_BY_MAX_LENGTH = 200;

/**
 * Whom the email names as having asked (`Jane Doe, Spotlight support`): one
 * line, at most {@link REQUESTED_BY_MAX_LENGTH} characters; null when not
 * given, and the email then says "Spotlight support".
 */
export function parseRequestedBy(value: string | undefined, what = 'requestedBy'): string | null {
  return parseName(what, value, REQUESTED_BY_MAX_LENGTH);
}

/** Checks and normalises what a person asked for, before anything touches the database. */
export function parseExportRequest(
  input: ExportRequestInput,
  names: RangeNames = RANGE_FIELDS,
): ExportRequest {
  const customer = parseCustomer(input.customer ?? '');
  const recipient = parseRecipient(input.recipient ?? '');
  const timeZone = parseTimeZone(input.timeZone, names);
  return { customer, recipient, timeZone, range: parseRange(input.since, input.until, names, timeZone) };
}
