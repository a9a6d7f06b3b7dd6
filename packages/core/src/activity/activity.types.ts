/** The seven counted kinds of activity, in workbook column order. */
export const ACTIVITY_COUNTS = [
  { key: 'challenges', header: 'Challenges created' },
  { key: 'ideas', header: 'Ideas created' },
  { key: 'comments', header: 'Comments submitted' },
  { key: 'commentLikes', header: 'Comment likes given' },
  { key: 'votes', header: 'Idea votes' },
  { key: 'conversations', header: 'Conversations created' },
  { key: 'communitiesCreated', header: 'Communities created' },
] as const;

export type ActivityCountKey = (typeof ACTIVITY_COUNTS)[number]['key'];

/** One user of a site with everything they did on it (schema doc, "activity"). */
export interface UserActivity extends Record<ActivityCountKey, number> {
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
  /** Null when the database holds no valid date, such as MySQL's zero date. */
  dateJoined: Date | null;
  lastLogin: Date | null;
  /** Names of communities of the site the user manages, sorted. */
  communitiesManaged: string[];
  /** Names of communities of the site the user is a member of, sorted. */
  communitiesJoined: string[];
}

/** Half-open range on each activity row's `created`: since <= created < until. */
export interface DateRange {
  since?: Date;
  until?: Date;
}

export function isActive(user: UserActivity): boolean {
  return (
    ACTIVITY_COUNTS.some(({ key }) => user[key] > 0) ||
    user.communitiesManaged.length > 0 ||
    user.communitiesJoined.length > 0
  );
}
