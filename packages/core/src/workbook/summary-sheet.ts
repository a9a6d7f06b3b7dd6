import type ExcelJS from 'exceljs';
import {
  ACTIVITY_COUNTS,
  CHANGE_STATUSES,
  ENGAGEMENT_LEVELS,
  MEMBERSHIP_LISTS,
  activityRule,
  isActiveLevel,
  isRanged,
  kindLabel,
  type ActivityCountKey,
  type ChangeStatus,
  type DateRange,
  type EngagementLevel,
  type UserActivity,
} from '../activity/activity.types';
import type { PreviousPeriod } from '../activity/previous-period';
import { oneLine } from '../text/one-line';
import { textCell } from './cell-values';
import { describePeriod, formatDateTime } from './zoned-time';

export const SUMMARY_SHEET = 'Summary';

/** The character an in-cell share bar is drawn with, one per 5 %. */
export const BAR_BLOCK = '█';
const BAR_LENGTH = 20;

export const NUMBER_FORMAT = '#,##0';
const SHARE_FORMAT = '0%';

/** What the Summary tells, totalled from the users as they stream past: no query of its own. */
export class ActivityTally {
  users = 0;
  active = 0;
  inactive = 0;
  deactivated = 0;
  neverLoggedIn = 0;
  readonly levels = Object.fromEntries(ENGAGEMENT_LEVELS.map((level) => [level, 0])) as Record<
    EngagementLevel,
    number
  >;
  readonly totals = Object.fromEntries(ACTIVITY_COUNTS.map(({ key }) => [key, 0])) as Record<
    ActivityCountKey,
    number
  >;
  managed = 0;
  joined = 0;
  /** Users by what became of them since the previous period, when the export compares with one. */
  readonly change = Object.fromEntries(CHANGE_STATUSES.map((status) => [status, 0])) as Record<
    ChangeStatus,
    number
  >;

  add(user: UserActivity, level: EngagementLevel, status?: ChangeStatus): void {
    if (status) this.change[status] += 1;
    this.users += 1;
    if (isActiveLevel(level)) this.active += 1;
    else this.inactive += 1;
    if (!user.accountActive) this.deactivated += 1;
    if (user.neverLoggedIn) this.neverLoggedIn += 1;
    this.levels[level] += 1;
    for (const { key } of ACTIVITY_COUNTS) this.totals[key] += user[key];
    this.managed += user.communitiesManaged.length;
    this.joined += user.communitiesJoined.length;
  }
}

export interface SummaryFacts {
  /** The customer's domain. */
  customer: string;
  customerName: string;
  range: DateRange;
  timeZone: string;
  generatedAt: Date;
  /** The period the change is counted since; none, and no word of change, without one. */
  previous: PreviousPeriod | null;
}

type Row = Array<string | number | null>;

/** The share bar of a part of a whole: one block per 5 %, rounded. */
export function shareBar(part: number, whole: number): string {
  return whole === 0 ? '' : BAR_BLOCK.repeat(Math.round((part / whole) * BAR_LENGTH));
}

/** The lines of "How to read this", shared by the Summary and the email's one-sentence version. */
export function howToRead(
  range: DateRange,
  timeZone: string,
  previous: PreviousPeriod | null = null,
): string[] {
  const ranged = isRanged(range);
  const change = previous
    ? [
        `Change since ${previous.words}, the period just before this one: New users are active in this period and were not in that one; Retained, active in both; Lapsed, active then and not now (listed on Lapsed users, with their level then); Idle in both, active in neither. Both periods count the same way.`,
      ]
    : [];
  return [
    'Activity is what a user did on this site only: challenges, ideas, comments, comment likes, idea votes, conversations and communities created, and communities managed or joined. Deleted items still count; deactivated accounts are still listed.',
    activityRule(range),
    `Engagement level, the first that applies: Creator created a challenge, idea, conversation or community; Contributor submitted a comment; Supporter voted on an idea${ranged ? '' : ' or liked a comment'}; ${ranged ? 'Member (manages or joined a community) is only given without a period' : 'Member manages or joined a community'}. Inactive users are Idle.`,
    ...change,
    `Shares are of all users. Dates are shown in ${timeZone}.`,
  ];
}

/** Writes the Summary's rows, once the totals are known (the writer then lists it first). */
export function writeSummarySheet(sheet: ExcelJS.Worksheet, tally: ActivityTally, facts: SummaryFacts): void {
  const { range, timeZone } = facts;
  sheet.columns = [{ width: 34 }, { width: 14 }, { width: 10 }, { width: BAR_LENGTH + 4 }];
  const bold = (row: ExcelJS.Row) => {
    row.font = { bold: true };
  };
  const add = (values: Row, style?: (row: ExcelJS.Row) => void) => {
    const row = sheet.addRow(values.map((value) => (typeof value === 'string' ? textCell(value) : value)));
    row.eachCell((cell) => {
      if (typeof cell.value === 'number') {
        cell.numFmt = NUMBER_FORMAT;
        cell.alignment = { horizontal: 'right' };
      }
    });
    style?.(row);
    row.commit();
    return row;
  };

  const customerName = oneLine(facts.customerName);
  add([`User activity of ${customerName}`], (row) => {
    row.font = { bold: true, size: 14 };
  });
  add(['Customer', customerName]);
  add(['Domain', facts.customer]);
  add(['Period', describePeriod(range, timeZone)]);
  add(['Time zone', timeZone]);
  add(['Generated', `${formatDateTime(facts.generatedAt, timeZone)} (${timeZone})`]);
  add([]);
  add(['Users', 'Number'], bold);
  add(['All users', tally.users]);
  add([isRanged(range) ? 'Active in the period' : 'Active', tally.active]);
  add([isRanged(range) ? 'Inactive in the period' : 'Inactive', tally.inactive]);
  add(['Deactivated accounts', tally.deactivated]);
  add(['Never logged in', tally.neverLoggedIn]);
  add([]);
  add(['Engagement level', 'Users', 'Share', 'Share bar'], bold);
  for (const level of ENGAGEMENT_LEVELS) {
    const share = tally.users === 0 ? 0 : tally.levels[level] / tally.users;
    add([level, tally.levels[level], share, shareBar(tally.levels[level], tally.users)], (row) => {
      row.getCell(3).numFmt = SHARE_FORMAT;
    });
  }
  if (facts.previous) {
    add([]);
    add([`Change since ${facts.previous.words}`, 'Users'], bold);
    for (const status of CHANGE_STATUSES) add([status, tally.change[status]]);
  }
  add([]);
  add([isRanged(range) ? 'Activity of all users in the period' : 'Activity of all users', 'Total'], bold);
  for (const { key, header, dated } of ACTIVITY_COUNTS)
    add([kindLabel(header, dated, range), tally.totals[key]]);
  for (const { key, header } of MEMBERSHIP_LISTS) {
    add([
      `${kindLabel(header, false, range)}: memberships`,
      key === 'communitiesManaged' ? tally.managed : tally.joined,
    ]);
  }
  add([]);
  add(['How to read this'], bold);
  for (const line of howToRead(range, timeZone, facts.previous)) {
    add([line], (row) => {
      row.getCell(1).alignment = { wrapText: true, vertical: 'top' };
      // Rows streamed out are not measured again by every reader: say how tall the wrapped text is.
      row.height = 15 * Math.ceil(line.length / 80);
      sheet.mergeCells(row.number, 1, row.number, 4);
    });
  }
}
