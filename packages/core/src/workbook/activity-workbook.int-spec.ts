import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeEachDatabase, Factory, type ContentRow, type SiteRow, type UserRow } from '../testing';
import {
  OPENPYXL,
  readWithOpenpyxl,
  readWorkbook,
  requirementMet,
  type OpenpyxlWorkbook,
} from '@spotlight/testing';
import { ActivityRepository } from '../activity/activity.repository';
import { OutboxMailRepository } from '../mail/mail.repository';
import { ExportService } from '../export/export.service';

const DOMAIN = 'hostile.example.com';
const ZERO_DATE = '0000-00-00 00:00:00';

/** Names that hold list separators, every kind of line break, and a character XML cannot hold. */
const TRICKY_COMMUNITIES = [
  'Alpha; Beta',
  'Bravo\r\nCharlie',
  'Delta\rEcho',
  'Foxtrot\nGolf',
  'Hotel\u2028India',
  'Juliet\u2029Kilo',
  'Lima\uFFFFMike',
];
const TRICKY_COMMUNITIES_CELL = [
  'Alpha; Beta',
  'Bravo Charlie',
  'Delta Echo',
  'Foxtrot Golf',
  'Hotel India',
  'Juliet Kilo',
  'Lima\uFFFDMike',
].join('\n');

// MariaDB holds at most 150 characters per community name: this many of them
// are needed to outgrow Excel's 32,767 characters per cell.
const MANY_COMMUNITIES = 230;
const manyCommunityName = (i: number) => `Community ${String(i).padStart(3, '0')} `.padEnd(149, 'x');

const CUT_MARKER = /… \((\d+) more characters\)$/;

/** A cut cell: at most 32,767 characters, the start of `full`, and a count of exactly what was left out. */
function expectCut(cell: unknown, full: string): void {
  expect(typeof cell).toBe('string');
  const text = cell as string;
  expect(text.length).toBeLessThanOrEqual(32_767);
  const marker = CUT_MARKER.exec(text);
  expect(marker).not.toBeNull();
  const kept = text.slice(0, marker!.index);
  expect(full.startsWith(kept)).toBe(true);
  expect(Number(marker![1])).toBe(full.length - kept.length);
}

describeEachDatabase('activity workbook with hostile data', (db) => {
  let tmp: string;
  let site: SiteRow;
  let manager: UserRow;
  // SQLite does not enforce varchar lengths, so only there can a stored name outgrow a cell.
  const longName = db.dialect === 'sqlite' ? 'y'.repeat(40_000) : null;

  function exportService(): ExportService {
    return new ExportService(
      new ActivityRepository(db.knex),
      new OutboxMailRepository(path.join(tmp, 'outbox')),
      {
        mailFrom: 'exports@spotlight.test',
        databaseLabel: `${db.dialect} test database`,
        tmpDir: tmp,
        clock: () => new Date('2026-11-25T08:30:00Z'),
      },
    );
  }

  /**
   * Stores dates as raw text, the way a legacy MySQL row can hold them. The
   * zero date needs a session sql_mode without strict or NO_ZERO_DATE; the
   * transaction keeps the statements on one connection, whose mode is put back.
   */
  async function storeRawDates(user: UserRow, dates: { date_joined: string; last_login: string }) {
    await db.knex.transaction(async (trx) => {
      const update = () =>
        trx.raw('UPDATE central_user SET date_joined = ?, last_login = ? WHERE id = ?', [
          dates.date_joined,
          dates.last_login,
          user.id,
        ]);
      if (db.dialect === 'sqlite') return update();
      const [[{ mode }]] = (await trx.raw('SELECT @@SESSION.sql_mode AS mode')) as [[{ mode: string }]];
      await trx.raw("SET SESSION sql_mode = ''");
      try {
        await update();
      } finally {
        await trx.raw('SET SESSION sql_mode = ?', [mode]);
      }
    });
  }

  async function storedDates(user: UserRow): Promise<string[]> {
    const rows = (await db
      .knex('central_user')
      .where({ id: user.id })
      .select(
        db.knex.raw('CAST(date_joined AS CHAR) AS joined'),
        db.knex.raw('CAST(last_login AS CHAR) AS login'),
      )) as Array<{ joined: string; login: string }>;
    return [rows[0].joined, rows[0].login];
  }

  beforeAll(async () => {
    const f = db.factory;
    site = await f.site({ domain: DOMAIN, name: 'Hostile' });
    manager = await f.manager({ site, email: `boss@${DOMAIN}` });
    const tricky: ContentRow[] = [];
    for (const name of TRICKY_COMMUNITIES) tricky.push(await f.community({ site, creator: manager, name }));
    for (const community of tricky) await f.communityMember(community, manager);
    await f.communityManager(tricky[0], manager);

    const ann = await f.user({
      site,
      email: `ann\u0001@${DOMAIN}`,
      first_name: 'Ann\uFFFEe',
      last_name: 'Bad\uFFFF\u0008x\tTab',
    });
    await f.communityMember(tricky[0], ann);
    // An active user whose last login is the zero date, for the Summary's count.
    await storeRawDates(ann, { date_joined: '2025-01-02 03:04:05', last_login: ZERO_DATE });

    const many = await f.user({ site, email: `many@${DOMAIN}` });
    await db.knex.transaction(async (trx) => {
      const inTransaction = new Factory(trx);
      for (let i = 0; i < MANY_COMMUNITIES; i += 1) {
        const community = await inTransaction.community({
          site,
          creator: manager,
          name: manyCommunityName(i),
        });
        await inTransaction.communityMember(community, many);
      }
    });

    if (longName) await f.user({ site, email: `long@${DOMAIN}`, first_name: longName });

    const zero = await f.user({ site, email: `zero@${DOMAIN}`, last_name: 'Ctl\u0007\u001Fz' });
    await storeRawDates(zero, { date_joined: ZERO_DATE, last_login: ZERO_DATE });
    // Proves the database really holds the zero date the export must cope with.
    expect((await storedDates(zero)).map((text) => text.slice(0, 19))).toEqual([ZERO_DATE, ZERO_DATE]);

    const impossible = await f.user({ site, email: `impossible@${DOMAIN}` });
    // MariaDB stores a day that does not exist as the zero date; SQLite keeps the text.
    await storeRawDates(impossible, {
      date_joined: '2025-01-02 03:04:05',
      last_login: '2024-02-30 12:00:00',
    });

    await f.user({
      site,
      email: `old@${DOMAIN}`,
      date_joined: new Date('1850-06-01T12:00:00Z'),
      last_login: new Date('1900-02-28T23:00:00Z'),
    });
    await f.user({ site, email: `edge@${DOMAIN}`, date_joined: new Date('1900-03-01T00:00:00Z') });
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-hostile-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes a workbook that exceljs reads back with every value told truthfully', async () => {
    const saveTo = path.join(tmp, 'hostile.xlsx');
    const summary = await exportService().exportToEmail(
      { customer: DOMAIN, recipient: manager.email },
      { dryRun: true, saveTo },
    );
    expect(summary).toMatchObject({ active: 3, inactive: longName ? 5 : 4 });

    const book = await readWorkbook(saveTo);
    const active = new Map(book.rows('Active users').map((row) => [row[0], row]));
    expect(active.get(`ann\uFFFD@${DOMAIN}`)?.slice(0, 3)).toEqual([
      `ann\uFFFD@${DOMAIN}`,
      'Ann\uFFFDe',
      'Bad\uFFFD\uFFFDx\tTab',
    ]);
    expect(active.get(`ann\uFFFD@${DOMAIN}`)?.[14]).toBe('Alpha; Beta');
    expect(active.get(manager.email)?.slice(13)).toEqual(['Alpha; Beta', TRICKY_COMMUNITIES_CELL]);
    // More names than a printed row holds one to a line: "; "-separated.
    const manyNames = Array.from({ length: MANY_COMMUNITIES }, (_, i) => manyCommunityName(i)).join('; ');
    expectCut(active.get(`many@${DOMAIN}`)?.[14], manyNames);

    const sheet = book.workbook.getWorksheet('Active users')!;
    const bossRow = sheet.getRow(book.rows('Active users').findIndex((row) => row[0] === manager.email) + 1);
    expect(bossRow.getCell(14).alignment).toMatchObject({ wrapText: true });
    expect(bossRow.getCell(15).alignment).toMatchObject({ wrapText: true });
    expect(bossRow.getCell(1).alignment?.wrapText).toBeFalsy();

    const inactive = new Map(book.rows('Inactive users').map((row) => [row[0], row]));
    // A zero or impossible date names no login Spotlight knows of: an empty cell, and "never logged in".
    expect(inactive.get(`zero@${DOMAIN}`)).toEqual([
      `zero@${DOMAIN}`,
      'Test',
      'Ctl\uFFFD\uFFFDz',
      'Active',
      undefined,
      undefined,
      'Yes',
    ]);
    expect(inactive.get(`impossible@${DOMAIN}`)?.slice(4)).toEqual([
      new Date('2025-01-02T03:04:05Z'),
      undefined,
      'Yes',
    ]);
    // The Summary counts exactly the users shown with no last login, on both sheets.
    const noLogin =
      book.rows('Active users').filter((row, i) => i > 0 && row[5] === undefined).length +
      [...inactive.values()].filter((row) => row[6] === 'Yes').length;
    expect(active.get(`ann\uFFFD@${DOMAIN}`)?.[5]).toBeUndefined();
    expect(noLogin).toBeGreaterThanOrEqual(4);
    const counted = book.rows('Summary').find((row) => row[0] === 'Never logged in');
    expect(counted?.[1]).toBe(noLogin);
    expect(inactive.get(`old@${DOMAIN}`)?.slice(4)).toEqual([
      '1850-06-01T12:00:00.000Z',
      '1900-02-28T23:00:00.000Z',
      'No',
    ]);
    expect(inactive.get(`edge@${DOMAIN}`)?.slice(4)).toEqual([
      new Date('1900-03-01T00:00:00Z'),
      undefined,
      'Yes',
    ]);
    if (longName) expectCut(inactive.get(`long@${DOMAIN}`)?.[1], longName);
  });

  it('writes dates Excel cannot show as the UTC instants stored, in a zoned export too', async () => {
    const saveTo = path.join(tmp, 'zoned.xlsx');
    await exportService().exportToEmail(
      { customer: DOMAIN, recipient: manager.email, timeZone: 'Pacific/Kiritimati' },
      { dryRun: true, saveTo },
    );
    const inactive = new Map((await readWorkbook(saveTo)).rows('Inactive users').map((row) => [row[0], row]));
    expect(inactive.get(`old@${DOMAIN}`)?.slice(4, 6)).toEqual([
      '1850-06-01T12:00:00.000Z',
      '1900-02-28T23:00:00.000Z',
    ]);
    // Kiritimati's clock (10:29:20 behind UTC then) showed 1900-02-28 13:30:40: before Excel's dates too.
    expect(inactive.get(`edge@${DOMAIN}`)?.[4]).toBe('1900-03-01T00:00:00.000Z');
  });

  it('writes a workbook openpyxl opens, for the emailed file and for the streamed download', async () => {
    if (!requirementMet(OPENPYXL, 'the independent reader check')) return;
    const saveTo = path.join(tmp, 'hostile.xlsx');
    await exportService().exportToEmail(
      { customer: DOMAIN, recipient: manager.email },
      { dryRun: true, saveTo },
    );
    const streamed = path.join(tmp, 'streamed.xlsx');
    await exportService().exportToStream({ customer: DOMAIN }, fs.createWriteStream(streamed));

    for (const file of [saveTo, streamed]) {
      const book = readWithOpenpyxl(file);
      const cells = (sheet: OpenpyxlWorkbook['sheets'][number]) =>
        new Map(sheet.rows.map((row) => [row[0].value, row]));
      expect(book.sheets.map((sheet) => sheet.name)).toEqual([
        'Summary',
        'Active users',
        'Inactive users',
        'Communities',
      ]);
      const active = cells(book.sheets[1]);
      expect(
        active
          .get(`ann\uFFFD@${DOMAIN}`)
          ?.slice(1, 3)
          .map((cell) => cell.value),
      ).toEqual(['Ann\uFFFDe', 'Bad\uFFFD\uFFFDx\tTab']);
      const managed = active.get(manager.email)!.slice(13);
      expect(managed.map((cell) => [cell.value, cell.type, cell.wrap])).toEqual([
        ['Alpha; Beta', 's', true],
        [TRICKY_COMMUNITIES_CELL, 's', true],
      ]);
      // More names than a printed row holds one to a line: "; "-separated.
      const manyNames = Array.from({ length: MANY_COMMUNITIES }, (_, i) => manyCommunityName(i)).join('; ');
      expectCut(active.get(`many@${DOMAIN}`)?.[14].value, manyNames);

      const inactive = cells(book.sheets[2]);
      const dates = (email: string) =>
        inactive
          .get(email)
          ?.slice(4, 6)
          .map((cell) => [cell.value, cell.type]);
      expect(inactive.get(`zero@${DOMAIN}`)?.[2].value).toBe('Ctl\uFFFD\uFFFDz');
      expect(dates(`zero@${DOMAIN}`)).toEqual([
        [null, 'n'],
        [null, 'n'],
      ]);
      expect(dates(`impossible@${DOMAIN}`)).toEqual([
        ['2025-01-02T03:04:05', 'd'],
        [null, 'n'],
      ]);
      expect(dates(`old@${DOMAIN}`)).toEqual([
        ['1850-06-01T12:00:00.000Z', 's'],
        ['1900-02-28T23:00:00.000Z', 's'],
      ]);
      expect(dates(`edge@${DOMAIN}`)).toEqual([
        ['1900-03-01T00:00:00', 'd'],
        [null, 'n'],
      ]);
      if (longName) expectCut(inactive.get(`long@${DOMAIN}`)?.[1].value, longName);
    }
  });
});
