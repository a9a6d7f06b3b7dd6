import { ACTIVITY_COUNTS, type CommunityActivity, type UserActivity } from '../activity/activity.types';
import { listCell, textCell } from './cell-values';
import { fromSpool, type SpooledLapsedUser, type SpooledUser } from './user-spool';
import type { CellValue } from './row-xml';

// The cells of one row of each sheet of the activity workbook, in the order of its columns (sheet-columns.ts).

function identityCells(user: Pick<UserActivity, 'email' | 'firstName' | 'lastName'>): CellValue[] {
  return [textCell(user.email), textCell(user.firstName), textCell(user.lastName)];
}

function accountCell(user: Pick<UserActivity, 'accountActive'>): string {
  return user.accountActive ? 'Active' : 'Deactivated';
}

export function activeRow(
  user: UserActivity,
  level: string,
  levelThen: string | null,
  zoned: (date: Date | null) => CellValue,
): CellValue[] {
  return [
    ...identityCells(user),
    level,
    ...(levelThen === null ? [] : [levelThen]),
    accountCell(user),
    zoned(user.lastLogin),
    ...ACTIVITY_COUNTS.map(({ key }) => user[key]),
    listCell(user.communitiesManaged),
    listCell(user.communitiesJoined),
  ];
}

export function inactiveRow(line: string, zoned: (date: Date | null) => CellValue): CellValue[] {
  const [email, firstName, lastName, accountActive, dateJoined, lastLogin, neverLoggedIn, ...undated] =
    JSON.parse(line) as SpooledUser;
  return [
    ...identityCells({ email, firstName, lastName }),
    accountCell({ accountActive }),
    zoned(fromSpool(dateJoined)),
    zoned(fromSpool(lastLogin)),
    neverLoggedIn ? 'Yes' : 'No',
    ...(undated.length === 3 ? [undated[0], listCell(undated[1]), listCell(undated[2])] : []),
  ];
}

export function lapsedRow(line: string, zoned: (date: Date | null) => CellValue): CellValue[] {
  const [email, firstName, lastName, accountActive, levelThen, lastLogin] = JSON.parse(
    line,
  ) as SpooledLapsedUser;
  return [
    ...identityCells({ email, firstName, lastName }),
    accountCell({ accountActive }),
    levelThen,
    zoned(fromSpool(lastLogin)),
  ];
}

export function communityRow(
  community: CommunityActivity,
  zoned: (date: Date | null) => CellValue,
): CellValue[] {
  return [
    textCell(community.name),
    zoned(community.created),
    community.deleted ? 'Yes' : 'No',
    community.managers,
    community.members,
    community.challenges,
    community.ideas,
    community.comments,
    community.conversations,
  ];
}
