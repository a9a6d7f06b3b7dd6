import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import { normaliseDomain, normaliseEmail } from '../input/address.rules';

/** What makes two enabled schedules the same schedule. */
export interface ScheduleIdentity {
  customer: string;
  recipient: string;
  cron: string;
  timeZone: string;
  windowDays: number | null;
}

// The parsed fields croner decides due times by: two spellings with the same
// values here ("0 7 * * mon", "00 07 * * 1", "0 7 ? * MON") fire at the same times.
const CRON_FIELDS = [
  'minute',
  'hour',
  'day',
  'month',
  'dayOfWeek',
  'nearestWeekdays',
  'lastDayOfMonth',
  'lastWeekday',
  'starDOM',
  'starDOW',
  'useAndLogic',
] as const;

/**
 * The cron expression as croner understands it, so that equivalent spellings
 * compare equal; the expression with its whitespace collapsed when croner
 * cannot parse it (a row saved under older rules must still get a key).
 */
export function canonicalCron(expression: string): string {
  const collapsed = expression.trim().replace(/\s+/g, ' ').toLowerCase();
  try {
    const pattern = (new Cron(collapsed, { paused: true }) as unknown as CronInternals)._states?.pattern;
    if (!pattern) return collapsed;
    return JSON.stringify(
      CRON_FIELDS.map((field) => {
        const value = pattern[field];
        return Array.isArray(value) ? value.join(',') : (value ?? null);
      }),
    );
  } catch {
    return collapsed;
  }
}

/** The zone's canonical name (`europe/berlin` and `Europe/Berlin`, `Etc/UTC` and `UTC` are one). */
export function canonicalTimeZone(timeZone: string): string {
  const trimmed = timeZone.trim();
  try {
    return new Intl.DateTimeFormat('en', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return trimmed;
  }
}

/**
 * The value of an enabled schedule's unique identity key: SHA-256 (hex) of its
 * customer, recipient (compared as the recipient guard compares addresses),
 * canonical cron, canonical zone and window. A paused schedule has none.
 */
export function scheduleIdentityKey(schedule: ScheduleIdentity): string {
  const parts = [
    normaliseDomain(schedule.customer),
    normaliseEmail(schedule.recipient),
    canonicalCron(schedule.cron),
    canonicalTimeZone(schedule.timeZone),
    schedule.windowDays ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The identity key a schedule holds: only an enabled one holds its identity; a paused one may be identical to anything. */
export function heldIdentityKey(schedule: ScheduleIdentity & { enabled: boolean }): string | null {
  return schedule.enabled ? scheduleIdentityKey(schedule) : null;
}

interface CronInternals {
  _states?: { pattern?: Record<string, unknown> };
}
