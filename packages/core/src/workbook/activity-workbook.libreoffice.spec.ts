import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  convertWithLibreOffice,
  libreOfficeAvailable,
  readWithOpenpyxl,
  readWorkbook,
  zipEntry,
} from '@spotlight/testing';
import type { CommunityActivity, UserActivity } from '../activity/activity.types';
import {
  ACTIVE_SHEET,
  COMMUNITIES_SHEET,
  INACTIVE_SHEET,
  writeActivityWorkbook,
} from './activity-workbook.writer';

const USERS = 90;
const LONG_EMAIL = `someone.with.a.very.long.address@${'sub.'.repeat(8)}example.com`;

function user(i: number): UserActivity {
  return {
    userId: i,
    email: i === 7 ? LONG_EMAIL : `user${String(i).padStart(3, '0')}@example.com`,
    firstName: 'First',
    lastName: `Last ${i}`,
    accountActive: i % 10 !== 0,
    dateJoined: new Date('2025-01-02T03:04:05Z'),
    lastLogin: i % 2 ? new Date('2026-01-01T10:00:00Z') : null,
    neverLoggedIn: i % 2 === 0,
    challenges: i % 3,
    ideas: i === 5 ? 1_234_567 : 0,
    comments: 0,
    commentLikes: 0,
    votes: 0,
    conversations: 0,
    communitiesCreated: 0,
    communitiesManaged: [],
    communitiesJoined: [],
  };
}

function libreOfficeRequired(): boolean {
  if (process.env.SPOTLIGHT_REQUIRE_LIBREOFFICE === '1' || libreOfficeAvailable()) return true;
  console.warn('LibreOffice is not installed (Debian: libreoffice-calc-nogui); skipping its checks');
  return false;
}

describe('activity workbook, as other spreadsheet software prints and filters it', () => {
  let tmp: string;
  let file: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-libreoffice-'));
    file = path.join(tmp, 'book.xlsx');
    async function* users() {
      for (let i = 1; i <= USERS; i += 1) yield [user(i)];
    }
    async function* communities(): AsyncGenerator<CommunityActivity> {
      yield {
        name: 'Makers',
        created: null,
        deleted: false,
        managers: 1,
        members: 2,
        challenges: 3,
        ideas: 4,
        comments: 5,
        conversations: 6,
      };
    }
    await writeActivityWorkbook(
      users(),
      fs.createWriteStream(file),
      {
        customer: 'example.com',
        customerName: 'Example',
        generatedAt: new Date('2026-11-25T08:30:00Z'),
        range: {},
      },
      { scratchDir: tmp, communities },
    );
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('sizes columns to their content, right-aligns numbers with thousands separators, one date format', async () => {
    const book = await readWorkbook(file);
    const sheet = book.workbook.getWorksheet(ACTIVE_SHEET)!;
    const widths = sheet.columns.map((column) => column.width ?? 0);
    // Email: the longest address in the sample, within the bound.
    expect(widths[0]).toBe(Math.min(60, LONG_EMAIL.length + 2));
    // Engagement: "Contributor" is the longest level, but the header is longer.
    expect(widths[3]).toBe('Engagement'.length + 2);
    expect(widths.every((width) => width >= 6 && width <= 60)).toBe(true);
    const ideasRow = sheet.getRow(
      book.rows(ACTIVE_SHEET).findIndex((row) => row[0] === 'user005@example.com') + 1,
    );
    expect(ideasRow.getCell(8).value).toBe(1_234_567);
    expect(ideasRow.getCell(8).numFmt).toBe('#,##0');
    expect(ideasRow.getCell(8).alignment).toMatchObject({ horizontal: 'right' });
    expect(ideasRow.getCell(6).numFmt).toBe('yyyy-mm-dd hh:mm');
    const inactive = book.workbook.getWorksheet(INACTIVE_SHEET)!;
    expect([inactive.getRow(2).getCell(5).numFmt, inactive.getRow(2).getCell(6).numFmt]).toEqual([
      'yyyy-mm-dd hh:mm',
      'yyyy-mm-dd hh:mm',
    ]);
  });

  // 1..90: a user with a challenge (i % 3 !== 0) is active, the other 30 are not.
  const ACTIVE_ROWS = 60 + 1;
  const INACTIVE_ROWS = 30 + 1;

  it('names each autofilter as _xlnm._FilterDatabase over all its rows, and repeats the header row in print', () => {
    const workbookXml = zipEntry(file, 'xl/workbook.xml');
    const names = [...workbookXml.matchAll(/<definedName name="([^"]+)" localSheetId="(\d+)">([^<]+)</g)].map(
      (match) => [match[1], Number(match[2]), match[3].replace(/&apos;/g, "'")],
    );
    expect(names).toEqual([
      ['_xlnm._FilterDatabase', 1, `'${ACTIVE_SHEET}'!$A$1:$O$${ACTIVE_ROWS}`],
      ['_xlnm._FilterDatabase', 2, `'${INACTIVE_SHEET}'!$A$1:$G$${INACTIVE_ROWS}`],
      ['_xlnm._FilterDatabase', 3, `'${COMMUNITIES_SHEET}'!$A$1:$I$2`],
      ['_xlnm.Print_Titles', 1, `'${ACTIVE_SHEET}'!$1:$1`],
      ['_xlnm.Print_Titles', 2, `'${INACTIVE_SHEET}'!$1:$1`],
      ['_xlnm.Print_Titles', 3, `'${COMMUNITIES_SHEET}'!$1:$1`],
    ]);
    const sheets = readWithOpenpyxl(file).sheets;
    expect(sheets.map((sheet) => [sheet.name, sheet.autoFilter])).toEqual([
      ['Summary', null],
      [ACTIVE_SHEET, `A1:O${ACTIVE_ROWS}`],
      [INACTIVE_SHEET, `A1:G${INACTIVE_ROWS}`],
      [COMMUNITIES_SHEET, 'A1:I2'],
    ]);
  });

  it('opens in LibreOffice with a filter over every data sheet', () => {
    if (!libreOfficeRequired()) return;
    const content = zipEntry(convertWithLibreOffice(file, 'ods'), 'content.xml').replace(/&apos;/g, "'");
    const ranges = [...content.matchAll(/<table:database-range [^>]*>/g)].map((match) => [
      /table:target-range-address="([^"]+)"/.exec(match[0])?.[1],
      /table:display-filter-buttons="true"/.test(match[0]),
    ]);
    expect(ranges).toEqual([
      [`'${ACTIVE_SHEET}'.A1:'${ACTIVE_SHEET}'.O${ACTIVE_ROWS}`, true],
      [`'${INACTIVE_SHEET}'.A1:'${INACTIVE_SHEET}'.G${INACTIVE_ROWS}`, true],
      [`${COMMUNITIES_SHEET}.A1:${COMMUNITIES_SHEET}.I2`, true],
    ]);
  });

  it('prints in LibreOffice one page wide, landscape, for every data sheet', async () => {
    if (!libreOfficeRequired()) return;
    // At 100 % a landscape A4 page holds about 130 characters of columns: the
    // active sheet is far wider, so one page wide means it was fitted.
    const activeWidth = (await readWorkbook(file)).workbook
      .getWorksheet(ACTIVE_SHEET)!
      .columns.reduce((sum, column) => sum + (column.width ?? 0), 0);
    expect(activeWidth).toBeGreaterThan(200);
    const pdf = convertWithLibreOffice(file, 'pdf').toString('latin1');
    const pages = [
      ...pdf.matchAll(/\/Type\s*\/Page[^s][\s\S]*?\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g),
    ].map((match) => (Number(match[1]) > Number(match[2]) ? 'landscape' : 'portrait'));
    // The Summary on one portrait page, then one landscape page per data sheet.
    expect(pages).toEqual(['portrait', 'landscape', 'landscape', 'landscape']);
  });
});
