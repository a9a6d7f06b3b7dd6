import { InvalidInputError } from '../errors';
import type { DateRange } from '../activity/activity.types';

export interface ExportRequestInput {
  customer: string;
  recipient: string;
  /** Date (YYYY-MM-DD, UTC) or ISO 8601 date-time; inclusive. */
  since?: string | Date;
  /** Date (YYYY-MM-DD: that whole day is included) or ISO 8601 date-time (exclusive). */
  until?: string | Date;
}

export interface ExportRequest {
  customer: string;
  recipient: string;
  range: DateRange;
}

const DOMAIN =
  /^(?=.{1,100}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;
// Deliberately plain: one @, no spaces, a dot in the domain. The guard then
// requires the address to belong to a manager, which is the real check.
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function parseCustomer(customer: string): string {
  const value = customer.trim().toLowerCase();
  if (!DOMAIN.test(value))
    throw new InvalidInputError(`"${customer}" is not a customer domain like example.com.`);
  return value;
}

export function parseRecipient(recipient: string): string {
  const value = recipient.trim();
  if (!EMAIL.test(value))
    throw new InvalidInputError(`"${recipient}" is not an email address like manager@example.com.`);
  return value;
}

/** What the caller calls the range's two ends, for messages: request fields, or the CLI's flags. */
export interface RangeNames {
  since: string;
  until: string;
}

export const RANGE_FIELDS: RangeNames = { since: 'since', until: 'until' };

/** Reads a range bound; a bare `until` date means "to the end of that day". */
export function parseBound(
  value: string | Date | undefined,
  bound: 'since' | 'until',
  names: RangeNames = RANGE_FIELDS,
): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidInputError(`${names[bound]} is not a valid date.`);
    return value;
  }
  const text = value.trim();
  const date = DATE_ONLY.test(text)
    ? new Date(`${text}T00:00:00Z`)
    : DATE_TIME.test(text)
      ? new Date(text)
      : null;
  if (
    !date ||
    Number.isNaN(date.getTime()) ||
    (DATE_ONLY.test(text) && date.toISOString().slice(0, 10) !== text)
  ) {
    throw new InvalidInputError(
      `${names[bound]} "${value}" is not a date: use YYYY-MM-DD or an ISO 8601 date-time with a time zone.`,
    );
  }
  if (bound === 'until' && DATE_ONLY.test(text)) date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

export function parseRange(
  since?: string | Date,
  until?: string | Date,
  names: RangeNames = RANGE_FIELDS,
): DateRange {
  const range: DateRange = {
    since: parseBound(since, 'since', names),
    until: parseBound(until, 'until', names),
  };
  if (range.since && range.until && range.since >= range.until) {
    throw new InvalidInputError(`${names.since} must be earlier than ${names.until}.`);
  }
  return range;
}

/** Checks and normalises what a person asked for, before anything touches the database. */
export function parseExportRequest(
  input: ExportRequestInput,
  names: RangeNames = RANGE_FIELDS,
): ExportRequest {
  return {
    customer: parseCustomer(input.customer ?? ''),
    recipient: parseRecipient(input.recipient ?? ''),
    range: parseRange(input.since, input.until, names),
  };
}
