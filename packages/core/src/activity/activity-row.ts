import { toDate } from '../db/connection';
import { COUNT_SOURCES } from './activity.sources';
import { DATED_COUNTS, type DateRange, type DatedCountKey, type UserActivity } from './activity.types';

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** The activity statement's columns of the previous period's counts: `prev_ideas`, ... */
export const PREVIOUS_PREFIX = 'prev_';

export interface ActivityRow {
  user_id: number;
  sort_email: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  is_active: unknown;
  date_joined: unknown;
  last_login: unknown;
  row_kind: number | string;
  community: string | null;
  [count: string]: unknown;
}

/** Whether the activity statement also counts the previous period: only for a range with both ends. */
export function comparesPrevious(range: DateRange, previousSince: Date | undefined): previousSince is Date {
  if (!previousSince) return false;
  if (!range.since || !range.until || previousSince >= range.since) {
    throw new RangeError('A previous period needs a range with both ends, and must start before it');
  }
  return true;
}

export function toUserActivity(row: ActivityRow, compared: boolean): UserActivity {
  const lastLogin = toDate(row.last_login);
  const activity = {
    userId: Number(row.user_id),
    email: row.email,
    firstName: row.first_name ?? '',
    lastName: row.last_name ?? '',
    dateJoined: toDate(row.date_joined),
    accountActive: Boolean(Number(row.is_active)),
    lastLogin,
    neverLoggedIn: lastLogin === null,
    communitiesManaged: [] as string[],
    communitiesJoined: [] as string[],
  } as UserActivity;
  for (const { key } of COUNT_SOURCES) activity[key] = Number(row[key]);
  if (compared) {
    activity.previous = Object.fromEntries(
      DATED_COUNTS.map(({ key }) => [key, Number(row[`${PREVIOUS_PREFIX}${key}`])]),
    ) as Record<DatedCountKey, number>;
  }
  return activity;
}

export function finish(user: UserActivity): UserActivity {
  // Most users have no community or one: no collator call for them.
  if (user.communitiesManaged.length > 1) user.communitiesManaged.sort(collator.compare);
  if (user.communitiesJoined.length > 1) user.communitiesJoined.sort(collator.compare);
  return user;
}
