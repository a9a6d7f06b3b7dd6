import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  convertWithLibreOffice,
  LIBREOFFICE,
  overlappingWords,
  POPPLER,
  readPrintedPages,
  readWithOpenpyxl,
  readWorkbook,
  requirementMet,
  savePagePictures,
  testReportDir,
  zipEntry,
  type PrintedPage,
  type PrintedWord,
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

  it('names each autofilter as _xlnm._FilterDatabase over all its rows, and repeats the header row (and who) in print', () => {
    const workbookXml = zipEntry(file, 'xl/workbook.xml');
    const names = [...workbookXml.matchAll(/<definedName name="([^"]+)" localSheetId="(\d+)">([^<]+)</g)].map(
      (match) => [match[1], Number(match[2]), match[3].replace(/&apos;/g, "'")],
    );
    expect(names).toEqual([
      ['_xlnm._FilterDatabase', 1, `'${ACTIVE_SHEET}'!$A$1:$O$${ACTIVE_ROWS}`],
      ['_xlnm._FilterDatabase', 2, `'${INACTIVE_SHEET}'!$A$1:$G$${INACTIVE_ROWS}`],
      ['_xlnm._FilterDatabase', 3, `'${COMMUNITIES_SHEET}'!$A$1:$I$2`],
      // Too wide for one page at a readable size: Email and names repeat on each page it runs onto.
      ['_xlnm.Print_Titles', 1, `'${ACTIVE_SHEET}'!$A:$C,'${ACTIVE_SHEET}'!$1:$1`],
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
    if (!requirementMet(LIBREOFFICE, 'its checks')) return;
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

  it('prints in LibreOffice the Summary on one portrait page, then every data sheet landscape', () => {
    if (!requirementMet(LIBREOFFICE, 'its checks')) return;
    const pdf = convertWithLibreOffice(file, 'pdf').toString('latin1');
    const pages = [
      ...pdf.matchAll(/\/Type\s*\/Page[^s][\s\S]*?\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g),
    ].map((match) => (Number(match[1]) > Number(match[2]) ? 'landscape' : 'portrait'));
    expect(pages[0]).toBe('portrait');
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.slice(1).every((page) => page === 'landscape')).toBe(true);
  });
});

/** The smallest text a person reads on paper, in points. */
const MIN_PRINTED_PT = 7;

const COMMUNITY_NAMES = [
  'Green Energy',
  'WORLDWIDE MANUFACTURING EXCELLENCE AND MAINTENANCE WORKING GROUP',
  'Remote Work',
  'Müller & Wright: Quality, Safety, Wellbeing and Everything Else We Measure',
  'Data Science',
  'Onboarding',
];

/** A user of `communities` communities (some, when 0); every 15th does nothing. */
function member(i: number, communities: number): UserActivity {
  if (i % 15 === 0) return user(i);
  const names = (offset: number, count: number) =>
    Array.from(
      { length: count },
      (_, k) => `${COMMUNITY_NAMES[(offset + k) % COMMUNITY_NAMES.length]} ${k + 1}`,
    );
  return {
    ...user(i),
    comments: i * 37,
    commentLikes: i * 1001,
    votes: i % 4 === 0 ? 0 : 12_345,
    conversations: i % 5,
    communitiesCreated: i % 2,
    communitiesManaged: names(i, i % 3),
    communitiesJoined: names(i + 1, communities === 0 ? i % 7 : communities),
  };
}

/**
 * Writes a workbook of `users` users, converts it with LibreOffice to PDF as
 * a person would print it, keeps a picture of every page in the test report
 * folder, and returns the words of every page.
 */
async function printed(name: string, users: UserActivity[]): Promise<PrintedPage[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-print-'));
  try {
    const book = path.join(tmp, `${name}.xlsx`);
    async function* batches() {
      for (const one of users) yield [one];
    }
    async function* communities(): AsyncGenerator<CommunityActivity> {
      for (const [k, community] of COMMUNITY_NAMES.entries()) {
        yield {
          name: community,
          created: new Date(Date.UTC(2024, k, 1)),
          deleted: k === 3,
          managers: k,
          members: 1000 * k,
          challenges: 3,
          ideas: 40_000,
          comments: 5,
          conversations: 6,
        };
      }
    }
    await writeActivityWorkbook(
      batches(),
      fs.createWriteStream(book),
      {
        customer: 'example.com',
        customerName: 'Example',
        generatedAt: new Date('2026-11-25T08:30:00Z'),
        range: {},
      },
      { scratchDir: tmp, communities },
    );
    const pdf = convertWithLibreOffice(book, 'pdf');
    savePagePictures(pdf, path.join(testReportDir(), 'printed-workbooks'), name);
    return readPrintedPages(pdf);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function expectReadable(pages: PrintedPage[]): void {
  const overlaps = pages.flatMap((page, i) =>
    overlappingWords(page).map(([a, b]) => `page ${i + 1}: "${a.text}" over "${b.text}"`),
  );
  expect(overlaps.slice(0, 10)).toEqual([]);
  const small = pages.flatMap((page, i) =>
    page.words
      .filter((word) => word.yMax - word.yMin < MIN_PRINTED_PT)
      .map((word) => `page ${i + 1}: "${word.text}" ${(word.yMax - word.yMin).toFixed(1)} pt`),
  );
  expect(small.slice(0, 10)).toEqual([]);
  // The Summary on one portrait page; every data page repeats its header row.
  expect(pages.map((page) => page.width < page.height)).toEqual([true, ...pages.slice(1).map(() => false)]);
  for (const page of pages.slice(1)) {
    expect(page.words.some((word) => word.text === 'Email' || word.text === 'Community')).toBe(true);
  }
}

/** The pages' words in reading order, one string per printed line of a page. */
function lines(page: PrintedPage): string[] {
  const byLine = new Map<number, PrintedWord[]>();
  for (const word of page.words) {
    const key = Math.round(word.yMin);
    byLine.set(key, [...(byLine.get(key) ?? []), word]);
  }
  return [...byLine.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, words]) =>
      words
        .sort((a, b) => a.xMin - b.xMin)
        .map((word) => word.text)
        .join(' '),
    );
}

describe('activity workbook, printed from LibreOffice', () => {
  const run = () => requirementMet(LIBREOFFICE, 'its checks') && requirementMet(POPPLER, 'the printed pages');

  it('prints every row tall enough for its communities, headers over their values, nothing under 7 pt', async () => {
    if (!run()) return;
    const pages = await printed(
      'several-communities',
      Array.from({ length: 60 }, (_, i) => member(i + 1, 0)),
    );
    expectReadable(pages);
    // Each community on its own line: never "Data Science 1Onboarding 2" (LibreOffice drops a "str" cell's line breaks).
    const joined = pages.flatMap((page) => page.words).filter((word) => /\d[A-Z]/.test(word.text));
    expect(joined.map((word) => word.text)).toEqual([]);
    // Whom a row is about is printed on each page the row continues on.
    const userPages = pages.filter((page) => page.words.some((word) => word.text === 'Email'));
    expect(userPages.length).toBeGreaterThan(2);
    for (const page of userPages)
      expect(page.words.some((word) => word.text.endsWith('@example.com'))).toBe(true);
    // A number sits under its own header: right edges together, as the column's alignment says.
    const page = pages.slice(1).find((one) => one.words.some((word) => word.text === '1,234,567'))!;
    const value = page.words.find((word) => word.text === '1,234,567')!;
    const header = page.words.find((word) => word.text === 'Ideas')!;
    expect(lines(page)[0]).toContain('Ideas created');
    const headerRight = Math.max(
      ...page.words
        .filter(
          (word) =>
            Math.abs(word.yMin - header.yMin) < 1 && word.xMin >= header.xMin && word.xMin - header.xMax < 6,
        )
        .map((word) => word.xMax),
    );
    expect(Math.abs(headerRight - value.xMax)).toBeLessThan(2);
  }, 180_000);

  it('prints users of 40 communities each readably too', async () => {
    if (!run()) return;
    const users = Array.from({ length: 20 }, (_, i) => member(i + 1, 40));
    const pages = await printed('forty-communities', users);
    expectReadable(pages);
    // Every user's 40th community is printed: no list is cut off by a row too short.
    const lastNames = pages
      .slice(1)
      .flatMap((page) => page.words)
      .filter((word) => word.text === '40');
    expect(lastNames).toHaveLength(users.filter((one) => one.communitiesJoined.length === 40).length);
  }, 180_000);
});
