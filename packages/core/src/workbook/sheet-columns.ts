import {
  ACTIVITY_COUNTS,
  MEMBERSHIP_LISTS,
  isRanged,
  kindLabel,
  type DateRange,
} from '../activity/activity.types';
import { NUMBER_FORMAT } from './summary-sheet';
import { DATE_FORMAT, type Column } from './sheet-series';

// The columns of each sheet of the activity workbook, in the order of its rows' cells (sheet-rows.ts).

const IDENTITY_COLUMNS: Column[] = [
  { header: 'Email', width: 34, printTitle: true },
  { header: 'First name', width: 16, printTitle: true },
  { header: 'Last name', width: 16, printTitle: true },
];

const dateColumn = (header: string, timeZone: string): Column => ({
  header: `${header} (${timeZone})`,
  width: Math.max(18, header.length + timeZone.length + 5),
  numFmt: DATE_FORMAT,
});

export function activeColumns(range: DateRange, timeZone: string, compared: boolean): Column[] {
  return [
    ...IDENTITY_COLUMNS,
    { header: 'Engagement', width: 13 },
    ...(compared ? [{ header: 'Previous period', width: 16 }] : []),
    { header: 'Account', width: 13 },
    dateColumn('Last login', timeZone),
    ...countColumns(range, ACTIVITY_COUNTS),
    ...listColumns(range),
  ];
}

/**
 * In a ranged export the undated kinds (likes, memberships) are listed for
 * inactive users too: they are reported, they just do not make anyone active.
 */
export function inactiveColumns(range: DateRange, timeZone: string): Column[] {
  return [
    ...IDENTITY_COLUMNS,
    { header: 'Account', width: 13 },
    dateColumn('Date joined', timeZone),
    dateColumn('Last login', timeZone),
    { header: 'Never logged in', width: 16 },
    ...(isRanged(range)
      ? [
          ...countColumns(
            range,
            ACTIVITY_COUNTS.filter(({ dated }) => !dated),
          ),
          ...listColumns(range),
        ]
      : []),
  ];
}

export function lapsedColumns(timeZone: string): Column[] {
  return [
    ...IDENTITY_COLUMNS,
    { header: 'Account', width: 13 },
    { header: 'Level in the previous period', width: 28 },
    dateColumn('Last login', timeZone),
  ];
}

export function communityColumns(range: DateRange, timeZone: string): Column[] {
  const count = (header: string, dated: boolean): Column => {
    const label = kindLabel(header, dated, range);
    return { header: label, width: Math.max(12, label.length + 2), numFmt: NUMBER_FORMAT };
  };
  return [
    // A name longer than the column wraps: on paper, text cut at the column's edge is lost.
    { header: 'Community', width: 40, wrap: true, printTitle: true },
    dateColumn('Created', timeZone),
    { header: 'Deleted', width: 10 },
    count('Managers', false),
    count('Members', false),
    count('Challenges', true),
    count('Ideas', true),
    count('Comments on its ideas', true),
    count('Conversations', true),
  ];
}

function countColumns(range: DateRange, kinds: ReadonlyArray<(typeof ACTIVITY_COUNTS)[number]>): Column[] {
  return kinds.map(({ header, dated }) => {
    const label = kindLabel(header, dated, range);
    return { header: label, width: Math.max(12, label.length + 2), numFmt: NUMBER_FORMAT };
  });
}

function listColumns(range: DateRange): Column[] {
  return MEMBERSHIP_LISTS.map(({ header }) => ({
    header: kindLabel(header, false, range),
    width: 40,
    wrap: true,
  }));
}
