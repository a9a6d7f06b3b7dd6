import path from 'node:path';
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import {
  changeStatus,
  engagementLevel,
  isActiveLevel,
  isRanged,
  previousLevel,
  type ChangeStatus,
  type CommunityActivity,
  type DateRange,
  type EngagementLevel,
  type UserActivity,
} from '../activity/activity.types';
import type { PreviousPeriod } from '../activity/previous-period';
import { dateCell, xmlSafe } from './cell-values';
import { ActivityTally, SUMMARY_SHEET, writeSummarySheet } from './summary-sheet';
import { DEFAULT_TIME_ZONE, describePeriod, formatDateTime } from './zoned-time';
import { EXCEL_MAX_DATA_ROWS } from './excel-limits';
import { FilterNames, SheetSeries, listFirst, type Column } from './sheet-series';
import { UserSpool, inactiveLine, lapsedLine } from './user-spool';
import { activeColumns, communityColumns, inactiveColumns, lapsedColumns } from './sheet-columns';
import { activeRow, communityRow, inactiveRow, lapsedRow } from './sheet-rows';
import { eachInTurn, inBatchesOfOne, startNow, watchOutput } from './writer-flow';

export { SUMMARY_SHEET } from './summary-sheet';
export const ACTIVE_SHEET = 'Active users';
export const INACTIVE_SHEET = 'Inactive users';
export const LAPSED_SHEET = 'Lapsed users';
export const COMMUNITIES_SHEET = 'Communities';

export interface WorkbookMeta {
  /** The customer's domain. */
  customer: string;
  /** The customer's display name; the domain when not given. */
  customerName?: string;
  generatedAt: Date;
  range: DateRange;
  /** The IANA zone dates are shown in; UTC by default. */
  timeZone?: string;
  /**
   * The period the change is counted since: the users then carry their
   * activity in it (`streamActivity`'s `previousSince`). None by default.
   */
  previous?: PreviousPeriod | null;
}

export interface WorkbookOptions {
  /** A folder the writer may use for scratch files; the caller removes it. */
  scratchDir: string;
  /** Data rows per sheet before continuing on "<name> (2)"; Excel's limit by default. */
  maxRowsPerSheet?: number;
  /** Called every so often with the number of users written so far. */
  onProgress?: (users: number) => void;
  /** The site's communities, read once the users are written; without it there is no Communities sheet. */
  communities?: () => AsyncIterable<CommunityActivity>;
  /**
   * Ask for the communities as soon as the last user is read, so that the
   * database works out their statement while the inactive users are written
   * (on MariaDB at 100k users each takes about two seconds): true by default.
   * False for a database in this process (SQLite), which would work it out
   * at once and hold the statement's sorts (about 7 MB at 100k users) while
   * the inactive users are written.
   */
  communitiesEarly?: boolean;
  /**
   * Called once the users' sheets are written, before the communities are
   * read (and, when not early, asked for): the CLI collects its garbage there.
   */
  betweenSheets?: () => void;
}

export interface WorkbookSummary {
  active: number;
  inactive: number;
  sheets: string[];
  /** The Summary sheet's numbers. */
  tally: ActivityTally;
  /** Users by what became of them since the previous period; null without one. */
  change: { since: string; users: Record<ChangeStatus, number> } | null;
}

// exceljs's entry loads its reader, its CSV support and the whole-workbook
// model as well, several MB of a process's memory that an export never uses:
// only the streaming writer is loaded, and only when a workbook is written.
function loadWorkbookWriter(): typeof ExcelJS.stream.xlsx.WorkbookWriter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('exceljs/lib/stream/xlsx/workbook-writer');
}

/**
 * Streams users into an .xlsx workbook: a Summary first, then "Active users",
 * "Inactive users" and, when given, "Communities". Active users are written
 * as they arrive; inactive ones wait in a scratch file, and the Summary's
 * numbers are totalled on the way, so memory stays flat whatever the site's size.
 */
export async function writeActivityWorkbook(
  /** Every user, sorted, in batches as they arrive (`ActivityRepository.streamActivityBatches`). */
  users: AsyncIterable<readonly UserActivity[]>,
  output: Writable,
  meta: WorkbookMeta,
  options: WorkbookOptions,
): Promise<WorkbookSummary> {
  const maxRows = options.maxRowsPerSheet ?? EXCEL_MAX_DATA_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > EXCEL_MAX_DATA_ROWS) {
    throw new RangeError(`maxRowsPerSheet must be a whole number from 1 to ${EXCEL_MAX_DATA_ROWS}`);
  }
  const timeZone = meta.timeZone ?? DEFAULT_TIME_ZONE;
  const customerName = meta.customerName ?? meta.customer;
  const WorkbookWriter = loadWorkbookWriter();
  const workbook = new WorkbookWriter({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
  });
  // The streaming writer's typings omit the document properties it writes.
  Object.assign(workbook, {
    created: meta.generatedAt,
    modified: meta.generatedAt,
    creator: 'Spotlight exports',
    lastModifiedBy: 'Spotlight exports',
    title: xmlSafe(`User activity: ${meta.customer}`),
    subject: xmlSafe(meta.customer),
    keywords: xmlSafe(`spotlight user-activity ${meta.customer}`),
    description: xmlSafe(describeWorkbook(meta)),
  });

  const tally = new ActivityTally();
  const zoned = (date: Date | null) => dateCell(date, timeZone);
  const output$ = watchOutput(output);
  const filters = new FilterNames();
  const sheetSeries = (name: string, columns: Column[]) =>
    new SheetSeries(workbook, name, columns, maxRows, output$.failed, filters);
  const previous = meta.previous ?? null;
  const active = sheetSeries(ACTIVE_SHEET, activeColumns(meta.range, timeZone, previous !== null));
  const spool = new UserSpool(
    path.join(options.scratchDir, 'inactive-users.ndjson'),
    inactiveLine(isRanged(meta.range)),
  );
  const levelThen = (user: UserActivity): EngagementLevel => {
    const level = previousLevel(user);
    if (!level) throw new Error(`No activity in the previous period was read for user ${user.userId}`);
    return level;
  };
  const lapsed = previous
    ? new UserSpool(path.join(options.scratchDir, 'lapsed-users.ndjson'), lapsedLine(levelThen))
    : null;
  try {
    await eachInTurn(users, (user) => {
      output$.throwIfFailed();
      const level = engagementLevel(user, meta.range);
      const then = previous ? levelThen(user) : null;
      const status = then ? changeStatus(level, then) : undefined;
      tally.add(user, level, status);
      if (tally.users % 1000 === 0) options.onProgress?.(tally.users);
      if (isActiveLevel(level)) return active.add(activeRow(user, level, then, zoned));
      // A lapsed user is inactive too: on both sheets.
      const wait = status === 'Lapsed' ? lapsed!.add(user) : undefined;
      return wait ? wait.then(() => spool.add(user)) : spool.add(user);
    });
  } finally {
    await spool.close();
    await lapsed?.close();
  }
  spool.throwIfFailed();
  lapsed?.throwIfFailed();
  // Early, the database works out the Communities sheet's statement while
  // the inactive users are written.
  const askForCommunities = () => (options.communities ? startNow(options.communities()) : undefined);
  let communities = (options.communitiesEarly ?? true) ? askForCommunities() : undefined;
  try {
    await active.finish();

    const inactive = sheetSeries(INACTIVE_SHEET, inactiveColumns(meta.range, timeZone));
    await eachInTurn(spool.lines(), (line) => {
      output$.throwIfFailed();
      return inactive.add(inactiveRow(line, zoned));
    });
    await inactive.finish();

    const lapsedSheets: string[] = [];
    if (lapsed) {
      const sheet = sheetSeries(LAPSED_SHEET, lapsedColumns(timeZone));
      await eachInTurn(lapsed.lines(), (line) => {
        output$.throwIfFailed();
        return sheet.add(lapsedRow(line, zoned));
      });
      await sheet.finish();
      lapsedSheets.push(...sheet.names);
    }
    options.onProgress?.(tally.users);
    options.betweenSheets?.();
    communities ??= askForCommunities();

    const sheets = [SUMMARY_SHEET, ...active.names, ...inactive.names, ...lapsedSheets];
    if (communities) {
      const sheet = sheetSeries(COMMUNITIES_SHEET, communityColumns(meta.range, timeZone));
      await eachInTurn(inBatchesOfOne(communities), (community) => {
        output$.throwIfFailed();
        return sheet.add(communityRow(community, zoned));
      });
      await sheet.finish();
      sheets.push(...sheet.names);
    }

    const summarySheet = workbook.addWorksheet(SUMMARY_SHEET, {
      pageSetup: { orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
    });
    writeSummarySheet(summarySheet, tally, {
      customer: meta.customer,
      customerName,
      range: meta.range,
      timeZone,
      generatedAt: meta.generatedAt,
      previous,
    });
    summarySheet.commit();
    listFirst(workbook, summarySheet);
    filters.addTo(workbook);

    try {
      await Promise.race([workbook.commit(), output$.failed]);
    } finally {
      output$.dispose();
    }
    return {
      active: tally.active,
      inactive: tally.inactive,
      sheets,
      tally,
      change: previous ? { since: previous.words, users: { ...tally.change } } : null,
    };
  } finally {
    await communities?.close();
  }
}

export function describeWorkbook(meta: WorkbookMeta): string {
  const timeZone = meta.timeZone ?? DEFAULT_TIME_ZONE;
  return `User activity of ${meta.customer}, ${describePeriod(meta.range, timeZone)}, generated ${formatDateTime(meta.generatedAt, timeZone)} (${timeZone}).`;
}
