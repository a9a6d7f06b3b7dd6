/**
 * The seven counted kinds of activity, in workbook column order. `dated`
 * kinds carry a `created` datetime and count only inside a date range;
 * comment likes have no date in Spotlight (schema doc, "Activity in a date range").
 */
export const ACTIVITY_COUNTS = [
  { key: 'challenges', header: 'Challenges created', dated: true },
  { key: 'ideas', header: 'Ideas created', dated: true },
  { key: 'comments', header: 'Comments submitted', dated: true },
  { key: 'commentLikes', header: 'Comment likes given', dated: false },
  { key: 'votes', header: 'Idea votes', dated: true },
  { key: 'conversations', header: 'Conversations created', dated: true },
  { key: 'communitiesCreated', header: 'Communities created', dated: true },
] as const;

export type ActivityCountKey = (typeof ACTIVITY_COUNTS)[number]['key'];

/** The kinds with a `created` datetime: the only ones that count inside a range. */
export type DatedCountKey = Extract<(typeof ACTIVITY_COUNTS)[number], { dated: true }>['key'];

export const DATED_COUNTS = ACTIVITY_COUNTS.filter(
  (kind): kind is Extract<(typeof ACTIVITY_COUNTS)[number], { dated: true }> => kind.dated,
);

/** The two membership kinds, which have no date either. */
export const MEMBERSHIP_LISTS = [
  { key: 'communitiesManaged', header: 'Communities managed' },
  { key: 'communitiesJoined', header: 'Communities joined' },
] as const;

/** Added to the name of an undated kind in a ranged export: it is not limited to the range. */
export const ALL_TIME_SUFFIX = ' (all time)';

/** One user of a site with everything they did on it (schema doc, "activity"). */
export interface UserActivity extends Record<ActivityCountKey, number> {
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
  /** central_user.is_active: false for a deactivated account. */
  accountActive: boolean;
  /** Null when the database holds no valid date, such as MySQL's zero date. */
  dateJoined: Date | null;
  lastLogin: Date | null;
  /**
   * Spotlight knows of no login: central_user.last_login is NULL, MySQL's
   * zero date or no real date, so that lastLogin is null exactly then.
   */
  neverLoggedIn: boolean;
  /** Names of communities of the site the user manages, sorted. */
  communitiesManaged: string[];
  /** Names of communities of the site the user is a member of, sorted. */
  communitiesJoined: string[];
  /** The dated kinds in the period before the range, when the export compares with one. */
  previous?: Record<DatedCountKey, number>;
}

/** Half-open range on each activity row's `created`: since <= created < until. */
export interface DateRange {
  since?: Date;
  until?: Date;
}

export function isRanged(range: DateRange): boolean {
  return Boolean(range.since || range.until);
}

/** A kind's name as the workbook and the email show it: undated kinds say "(all time)" in a ranged export. */
export function kindLabel(header: string, dated: boolean, range: DateRange): string {
  return !dated && isRanged(range) ? `${header}${ALL_TIME_SUFFIX}` : header;
}

/** The engagement levels, in the order they are decided (schema doc, "Engagement level"). */
export const ENGAGEMENT_LEVELS = ['Creator', 'Contributor', 'Supporter', 'Member', 'Idle'] as const;

export type EngagementLevel = (typeof ENGAGEMENT_LEVELS)[number];

/**
 * The user's engagement level from the kinds that count for the export: with
 * a range only dated activity inside it, so likes and memberships never
 * decide a level there.
 */
export function engagementLevel(user: UserActivity, range: DateRange = {}): EngagementLevel {
  if (isRanged(range)) return datedLevel(user);
  const level = datedLevel(user);
  if (level !== 'Idle') return level;
  if (user.commentLikes > 0) return 'Supporter';
  if (user.communitiesManaged.length > 0 || user.communitiesJoined.length > 0) return 'Member';
  return 'Idle';
}

/** The level from the dated kinds alone, as a range decides it. */
function datedLevel(counts: Record<DatedCountKey, number>): EngagementLevel {
  if (counts.challenges + counts.ideas + counts.conversations + counts.communitiesCreated > 0)
    return 'Creator';
  if (counts.comments > 0) return 'Contributor';
  if (counts.votes > 0) return 'Supporter';
  return 'Idle';
}

/** The user's level in the previous period, by the same rule; null when the export has no previous period. */
export function previousLevel(user: UserActivity): EngagementLevel | null {
  return user.previous ? datedLevel(user.previous) : null;
}

/** What became of a user between the previous period and this one (schema doc, "Change since the previous period"). */
export const CHANGE_STATUSES = ['New', 'Retained', 'Lapsed', 'Idle in both'] as const;

export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export function changeStatus(level: EngagementLevel, previous: EngagementLevel): ChangeStatus {
  const now = isActiveLevel(level);
  const then = isActiveLevel(previous);
  if (now) return then ? 'Retained' : 'New';
  return then ? 'Lapsed' : 'Idle in both';
}

/**
 * Whether the user is active: without a range, any activity of kinds 1-9;
 * with a range, any dated activity (kinds 1, 2, 3, 5, 6, 7) inside it.
 */
export function isActive(user: UserActivity, range: DateRange = {}): boolean {
  return isActiveLevel(engagementLevel(user, range));
}

/**
 * The one definition of "active" that the sheets, the Summary, the change
 * since the previous period and the email count by: every level but Idle.
 */
export function isActiveLevel(level: EngagementLevel): boolean {
  return level !== 'Idle';
}

/** That definition in one sentence, as the Summary and the email both say it. */
export function activityRule(range: DateRange): string {
  return isRanged(range)
    ? 'A user has activity when they created a challenge, idea, comment, idea vote, conversation or community in the period; comment likes and community memberships have no date in Spotlight, so they are listed "(all time)" and are not activity in the period.'
    : 'A user has activity when they ever created a challenge, idea, comment, conversation or community, voted on an idea, liked a comment, or manage or joined a community on this site, whether their account is active or deactivated.';
}

/** One community of a site, with what happened in it (within the range for the dated kinds). */
export interface CommunityActivity {
  name: string;
  created: Date | null;
  deleted: boolean;
  /** Managers and members have no date: always all time. */
  managers: number;
  members: number;
  challenges: number;
  /** Ideas of the community's challenges. */
  ideas: number;
  /** Comments on those ideas. */
  comments: number;
  conversations: number;
}
