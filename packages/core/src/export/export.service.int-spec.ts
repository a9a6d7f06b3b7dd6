import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertNumQueries,
  captureQueries,
  describeEachDatabase,
  type Factory,
  type SiteRow,
  type UserRow,
} from '../testing';
import { OPENPYXL, readWithOpenpyxl, readWorkbook, requirementMet, SmtpCapture } from '@spotlight/testing';
import { ActivityRepository } from '../activity/activity.repository';
import {
  OutboxMailRepository,
  SmtpMailRepository,
  XLSX_CONTENT_TYPE,
  type MailRepository,
} from '../mail/mail.repository';
import {
  CustomerNotFoundError,
  DatabaseUnavailableError,
  InvalidInputError,
  MailDeliveryError,
  RecipientNotAllowedError,
} from '../errors';
import { ExportService } from './export.service';

const GENERATED_AT = new Date('2026-11-25T08:30:00Z');

function makeTmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-export-spec-'));
}

/** A site with `users` users spread over `communities` communities, with activity of every kind. */
async function populatedSite(f: Factory, domain: string, users: number, communities: number) {
  const site = await f.site({ domain, name: domain });
  const manager = await f.manager({ site, email: `manager@${domain}` });
  const people: UserRow[] = [manager];
  for (let i = 1; i < users; i += 1)
    people.push(await f.user({ site, email: `user${String(i).padStart(3, '0')}@${domain}` }));
  const groups = [];
  for (let i = 0; i < communities; i += 1)
    groups.push(await f.community({ site, creator: people[i % people.length] }));
  for (const [i, person] of people.entries()) {
    if (users > 1 && i % 4 === 3) continue; // some stay inactive
    await f.communityMember(groups[i % groups.length], person);
    if (i % 7 === 0) await f.communityManager(groups[(i + 1) % groups.length], person);
    if (i % 3 === 0) {
      const challenge = await f.challenge({ site, creator: person });
      const idea = await f.idea({ site, creator: person, challenge });
      const comment = await f.comment({ site, creator: person, idea });
      await f.vote({ creator: person, idea });
      await f.commentLike(comment, person);
      await f.conversation({ site, creator: person });
    }
  }
  return { site, manager, people };
}

describeEachDatabase('export service', (db) => {
  let smtp: SmtpCapture;
  let tmp: string;
  let site: SiteRow;
  let manager: UserRow;

  function service(options: { mail?: MailRepository; maxRowsPerSheet?: number } = {}) {
    const mail = options.mail ?? new SmtpMailRepository(smtp.url);
    const exports = new ExportService(new ActivityRepository(db.knex), mail, {
      mailFrom: 'Spotlight exports <exports@spotlight.test>',
      databaseLabel: `${db.dialect} test database`,
      tmpDir: tmp,
      clock: () => GENERATED_AT,
      maxRowsPerSheet: options.maxRowsPerSheet,
    });
    return { exports, mail };
  }

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    const f = db.factory;
    site = await f.site({ domain: 'acme.example.com', name: 'Acme & Co' });
    manager = await f.manager({ site, email: 'Boss@Acme.example.com' });
    const idea = await f.idea({ site, creator: manager });
    await f.vote({ creator: manager, idea });
    await f.user({
      site,
      email: '@danger@acme.example.com',
      first_name: '=1+2',
      last_name: '+SUM(A1)',
      date_joined: new Date('2024-05-06T07:08:09Z'),
    });
    await f.user({ site, email: 'minus@acme.example.com', first_name: '-3', last_name: '@cmd' });
    // The old tool mailed whoever it looked at last: this manager sorts last.
    await f.manager({ site, email: 'zz-other-manager@acme.example.com' });
    await f.user({ site, email: 'plain@acme.example.com', is_manager: false });
    await f.manager({ site, email: 'retired@acme.example.com', is_active: false });
    const elsewhere = await f.site({ domain: 'elsewhere.example.org' });
    await f.manager({ site: elsewhere, email: 'foreign-boss@elsewhere.example.org' });
  });
  beforeEach(() => {
    tmp = makeTmp();
    smtp.clear();
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterAll(() => smtp.stop());

  it('emails one workbook to exactly the requested manager, and to nobody else', async () => {
    const { exports, mail } = service();
    const summary = await exports.exportToEmail({
      customer: ' ACME.example.com',
      recipient: '  boss@acme.EXAMPLE.com ',
    });
    mail.close();

    expect(summary).toMatchObject({
      customer: 'acme.example.com',
      customerName: 'Acme & Co',
      recipient: 'Boss@Acme.example.com',
      active: 1,
      inactive: 5,
      sent: true,
      attachmentName: 'user-activity-acme.example.com-all-time-2026-11-25.xlsx',
      generatedAt: GENERATED_AT.toISOString(),
    });
    await smtp.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(1);
    const [{ envelope, mail: message }] = smtp.messages;
    expect(envelope.to.map((address) => address.toLowerCase())).toEqual(['boss@acme.example.com']);
    expect(message.to).toMatchObject({
      value: [{ address: expect.stringMatching(/^boss@acme\.example\.com$/i) }],
    });
    expect((message.to as { value: unknown[] }).value).toHaveLength(1);
    expect(message.cc).toBeUndefined();
    expect(message.bcc).toBeUndefined();
    expect(message.headers.has('cc')).toBe(false);
    expect(message.headers.has('bcc')).toBe(false);
    expect(message.from?.value[0].address).toBe('exports@spotlight.test');
    expect(message.subject).toBe('User activity: Acme & Co (all time)');
    expect(message.text).toContain('Users with activity: 1');
    expect(message.text).toContain('Users without activity: 5');
    // "Active" names an account's state in Spotlight, never activity: the email keeps them apart.
    expect(message.text).not.toMatch(/\b(in)?active users\b/i);
    expect(message.text).toContain('Period: all time');
    expect(message.text).toContain(
      'Engagement: Creator: 1, Contributor: 0, Supporter: 0, Member: 0, Idle: 5',
    );
    expect(message.text).toContain(
      'The workbook user-activity-acme.example.com-all-time-2026-11-25.xlsx is attached',
    );
    expect(message.html).toContain('Acme &#38; Co');
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment.filename).toBe('user-activity-acme.example.com-all-time-2026-11-25.xlsx');
    expect(attachment.contentType).toBe(XLSX_CONTENT_TYPE);
    expect(attachment.size).toBe(summary.bytes);

    const book = await readWorkbook(attachment.content);
    expect(book.sheetNames).toEqual(['Summary', 'Active users', 'Inactive users', 'Communities']);
    expect(book.rows('Active users')).toEqual([
      expect.arrayContaining(['Email', 'Engagement', 'Account', 'Idea votes', 'Communities managed']),
      [
        'Boss@Acme.example.com',
        'Test',
        expect.any(String),
        'Creator',
        'Active',
        undefined,
        0,
        1,
        0,
        0,
        1,
        0,
        0,
      ],
    ]);
    expect(book.rows('Inactive users').map((row) => row[0])).toEqual([
      'Email',
      '@danger@acme.example.com',
      'minus@acme.example.com',
      'plain@acme.example.com',
      'retired@acme.example.com',
      'zz-other-manager@acme.example.com',
    ]);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('produces a workbook other software opens, with text that never becomes a formula', async () => {
    const { exports } = service();
    const saveTo = path.join(tmp, 'kept', 'activity.xlsx');
    const summary = await exports.exportToEmail(
      { customer: 'acme.example.com', recipient: 'boss@acme.example.com' },
      { dryRun: true, saveTo },
    );
    expect(summary).toMatchObject({ sent: false, savedTo: saveTo, messageId: null });
    expect(fs.statSync(saveTo).size).toBe(summary.bytes);
    expect(smtp.messages).toHaveLength(0);

    if (!requirementMet(OPENPYXL, 'the independent reader check')) return;
    const book = readWithOpenpyxl(saveTo);
    expect(book.properties).toMatchObject({
      title: 'User activity: acme.example.com',
      subject: 'acme.example.com',
      creator: 'Spotlight exports',
    });
    expect(book.properties.created).toMatch(/^2026-11-25 08:30:00/);
    const [summarySheet, active, inactive] = book.sheets;
    expect(summarySheet.name).toBe('Summary');
    // The filters cover every row: 1 active and 5 inactive users.
    expect(active).toMatchObject({ name: 'Active users', freeze: 'A2', autoFilter: 'A1:O2' });
    expect(inactive).toMatchObject({ name: 'Inactive users', freeze: 'A2', autoFilter: 'A1:G6' });
    expect(active.rows[0].every((cell) => cell.bold && cell.type === 's')).toBe(true);
    expect(active.rows[1].slice(6, 13).map((cell) => cell.type)).toEqual(Array(7).fill('n'));
    const danger = inactive.rows[1];
    expect(danger.map((cell) => [cell.value, cell.type])).toEqual([
      ['@danger@acme.example.com', 's'],
      ['=1+2', 's'],
      ['+SUM(A1)', 's'],
      ['Active', 's'],
      ['2024-05-06T07:08:09', 'd'],
      [null, 'n'],
      ['Yes', 's'],
    ]);
    expect(inactive.rows[2].slice(0, 3).map((cell) => [cell.value, cell.type])).toEqual([
      ['minus@acme.example.com', 's'],
      ['-3', 's'],
      ['@cmd', 's'],
    ]);
  });

  it.each([
    [
      'an unknown customer',
      'nowhere.example.com',
      'boss@acme.example.com',
      CustomerNotFoundError,
      /No customer has the domain "nowhere.example.com"/,
    ],
    [
      'a malformed customer',
      'not a domain',
      'boss@acme.example.com',
      InvalidInputError,
      /not a customer domain/,
    ],
    ['a malformed address', 'acme.example.com', 'boss(at)acme', InvalidInputError, /not an email address/],
    [
      'an unknown address',
      'acme.example.com',
      'nobody@acme.example.com',
      RecipientNotAllowedError,
      /is not a user of acme.example.com/,
    ],
    [
      'a manager of another site only',
      'acme.example.com',
      'foreign-boss@elsewhere.example.org',
      RecipientNotAllowedError,
      /manages elsewhere.example.org, not acme.example.com/,
    ],
    [
      'a user who is not a manager',
      'acme.example.com',
      'plain@acme.example.com',
      RecipientNotAllowedError,
      /not a manager/,
    ],
    [
      'an inactive manager',
      'acme.example.com',
      'retired@acme.example.com',
      RecipientNotAllowedError,
      /inactive/,
    ],
  ])(
    'refuses %s with its own one-line error, before any export work',
    async (_case, customer, recipient, type, message) => {
      const outbox = path.join(tmp, 'outbox');
      const saveTo = path.join(tmp, 'kept.xlsx');
      for (const mail of [new SmtpMailRepository(smtp.url), new OutboxMailRepository(outbox)]) {
        const { exports } = service({ mail });
        const { queries } = await captureQueries(db.knex, () =>
          expect(exports.exportToEmail({ customer, recipient }, { saveTo })).rejects.toThrow(type),
        );
        await expect(exports.exportToEmail({ customer, recipient })).rejects.toThrow(message);
        await exports
          .exportToEmail({ customer, recipient })
          .catch((error: Error) => expect(error.message).not.toContain('\n'));
        // Input errors never reach the database; guard refusals never reach the activity query.
        expect(queries.some((query) => /UNION ALL/.test(query.sql))).toBe(false);
        mail.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(smtp.messages).toHaveLength(0);
      expect(fs.existsSync(outbox) ? fs.readdirSync(outbox) : []).toEqual([]);
      expect(fs.readdirSync(tmp)).toEqual([]);
    },
  );

  it('fails cleanly when the mail server refuses, leaving no file behind', async () => {
    const refusing = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
    try {
      const { exports, mail } = service({ mail: new SmtpMailRepository(refusing.url) });
      // --out is kept only after a successful send: the tmp folder must stay empty.
      const failure = exports.exportToEmail(
        { customer: 'acme.example.com', recipient: 'boss@acme.example.com' },
        { saveTo: path.join(tmp, 'kept.xlsx') },
      );
      await expect(failure).rejects.toThrow(MailDeliveryError);
      await expect(failure).rejects.toThrow(
        /Could not send the email through smtp:\/\/127\.0\.0\.1:\d+: .*Mailbox unavailable/,
      );
      mail.close();
      expect(refusing.messages).toHaveLength(0);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      await refusing.stop();
    }
  });

  it('runs the same constant number of queries for 1 user and for 300 users in 40 communities', async () => {
    const tiny = await populatedSite(db.factory, 'tiny.example.com', 1, 1);
    const big = await populatedSite(db.factory, 'big.example.com', 300, 40);
    const { exports } = service();
    // BEGIN, the guard, the activity, the communities, COMMIT; MySQL needs SET TRANSACTION READ ONLY first.
    const expected = db.dialect === 'mariadb' ? 6 : 5;
    const small = await assertNumQueries(db.knex, expected, () =>
      exports.exportToEmail({ customer: 'tiny.example.com', recipient: tiny.manager.email }),
    );
    const large = await assertNumQueries(db.knex, expected, () =>
      exports.exportToEmail({ customer: 'big.example.com', recipient: big.manager.email }),
    );
    expect(small).toMatchObject({ active: 1, inactive: 0, queries: expected });
    // Every 4th user is left idle (75), but the first 40 users created a community each,
    // which is activity: 10 of the idle ones are among them, so 65 stay inactive.
    expect(large).toMatchObject({ active: 235, inactive: 65, queries: expected });
    expect(expected).toBeLessThanOrEqual(6);
    const messages = await smtp.waitFor(2);
    const book = await readWorkbook(messages[1].mail.attachments[0].content);
    expect(book.rows('Active users')).toHaveLength(236);
    expect(book.rows('Inactive users')).toHaveLength(66);
    const communities = book.rows('Communities');
    expect(communities).toHaveLength(41);
    const names = communities.slice(1).map((row) => String(row[0]));
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect((await readWorkbook(messages[0].mail.attachments[0].content)).rows('Communities')).toHaveLength(2);
  });

  it('tells the change since the previous quarter in the same number of queries for 1 user and for 300 users', async () => {
    const Q1 = new Date('2026-02-15T12:00:00Z');
    const Q2 = new Date('2026-05-15T12:00:00Z');
    /** Of every four users: one new, one lapsed, one retained, one idle in both; a lone manager lapsed. */
    async function changingSite(domain: string, users: number) {
      const f = db.factory;
      const changing = await f.site({ domain, name: domain });
      const boss = await f.manager({ site: changing, email: `manager@${domain}` });
      const people = [boss];
      for (let i = 1; i < users; i += 1)
        people.push(await f.user({ site: changing, email: `user${String(i).padStart(3, '0')}@${domain}` }));
      for (const [i, person] of people.entries()) {
        const when = users === 1 ? [Q1] : [[Q2], [Q1], [Q1, Q2], []][i % 4];
        for (const created of when) await f.idea({ site: changing, creator: person, created });
      }
      return boss;
    }
    const tinyBoss = await changingSite('tiny-change.example.com', 1);
    const bigBoss = await changingSite('big-change.example.com', 300);
    const { exports } = service();
    const quarter = { since: '2026-04-01', until: '2026-06-30' };
    // BEGIN, the guard, the activity (both periods), the communities, COMMIT; MySQL's SET TRANSACTION READ ONLY.
    const expected = db.dialect === 'mariadb' ? 6 : 5;
    const small = await assertNumQueries(db.knex, expected, () =>
      exports.exportToEmail({ customer: 'tiny-change.example.com', recipient: tinyBoss.email, ...quarter }),
    );
    const large = await assertNumQueries(db.knex, expected, () =>
      exports.exportToEmail({ customer: 'big-change.example.com', recipient: bigBoss.email, ...quarter }),
    );
    expect(small).toMatchObject({ active: 0, inactive: 1, queries: expected });
    expect(large).toMatchObject({ active: 150, inactive: 150, queries: expected });

    const [tinyMail, bigMail] = await smtp.waitFor(2);
    const summaryBlock = (book: Awaited<ReturnType<typeof readWorkbook>>) => {
      const rows = book.rows('Summary').map((row) => row.slice(0, 2));
      const at = rows.findIndex((row) => row[0] === 'Change since Q1 2026');
      return rows.slice(at, at + 5);
    };
    const tinyBook = await readWorkbook(tinyMail.mail.attachments[0].content);
    expect(summaryBlock(tinyBook)).toEqual([
      ['Change since Q1 2026', 'Users'],
      ['New', 0],
      ['Retained', 0],
      ['Lapsed', 1],
      ['Idle in both', 0],
    ]);
    expect(tinyBook.rows('Lapsed users').slice(1)).toEqual([
      ['manager@tiny-change.example.com', expect.any(String), expect.any(String), 'Active', 'Creator'],
    ]);
    const book = await readWorkbook(bigMail.mail.attachments[0].content);
    expect(book.sheetNames).toEqual([
      'Summary',
      'Active users',
      'Inactive users',
      'Lapsed users',
      'Communities',
    ]);
    expect(summaryBlock(book)).toEqual([
      ['Change since Q1 2026', 'Users'],
      ['New', 75],
      ['Retained', 75],
      ['Lapsed', 75],
      ['Idle in both', 75],
    ]);
    const lapsed = book
      .rows('Lapsed users')
      .slice(1)
      .map((row) => String(row[0]));
    expect(lapsed).toHaveLength(75);
    expect(lapsed).toEqual([...lapsed].sort());
    expect(lapsed).toContain('user001@big-change.example.com');
    const active = book.rows('Active users');
    expect(active[0][4]).toBe('Previous period');
    expect(new Set(active.slice(1).map((row) => row[4]))).toEqual(new Set(['Idle', 'Creator']));
    expect(bigMail.mail.text).toContain('New: 75 (active in this period, not in Q1 2026)');
    expect(bigMail.mail.text).toContain('Lapsed: 75 (active in Q1 2026, not in this period)');
  });

  it("sums the Communities sheet's members and managers to the user sheets' memberships, whatever other sites' users do", async () => {
    const here = await populatedSite(db.factory, 'crossed.example.com', 30, 6);
    const there = await populatedSite(db.factory, 'crossing.example.com', 12, 3);
    const f = db.factory;
    const theirs = await f.community({ site: there.site, creator: there.manager });
    const ours = await f.community({ site: here.site, creator: here.manager });
    for (const person of there.people.slice(0, 5)) {
      await f.communityMember(ours, person);
      await f.communityManager(ours, person);
    }
    for (const person of here.people.slice(0, 4)) {
      await f.communityMember(theirs, person);
      await f.communityManager(theirs, person);
    }
    const { exports } = service();
    const expected = db.dialect === 'mariadb' ? 6 : 5;
    for (const { site, manager } of [here, there]) {
      const saveTo = path.join(tmp, `${site.domain}.xlsx`);
      await assertNumQueries(db.knex, expected, () =>
        exports.exportToEmail({ customer: site.domain, recipient: manager.email }, { dryRun: true, saveTo }),
      );
      const book = await readWorkbook(saveTo);
      const column = (sheet: string, header: string) => {
        const [headers, ...rows] = book.rows(sheet);
        const index = headers.indexOf(header);
        expect(index).toBeGreaterThanOrEqual(0);
        return rows.map((row) => row[index]);
      };
      const listed = (header: string) =>
        column('Active users', header).reduce<number>(
          (sum, cell) => sum + (cell ? String(cell).split('\n').length : 0),
          0,
        );
      const total = (header: string) =>
        column('Communities', header).reduce<number>((sum, cell) => sum + Number(cell), 0);
      expect(listed('Communities joined')).toBeGreaterThan(0);
      expect(total('Members')).toBe(listed('Communities joined'));
      expect(total('Managers')).toBe(listed('Communities managed'));
    }
  });

  it('continues a full sheet on "Active users (2)" instead of truncating', async () => {
    const { exports } = service({ maxRowsPerSheet: 2 });
    const rolled = await populatedSite(db.factory, 'rollover.example.com', 7, 2);
    const saveTo = path.join(tmp, 'rolled.xlsx');
    const summary = await exports.exportToEmail(
      { customer: 'rollover.example.com', recipient: rolled.manager.email },
      { dryRun: true, saveTo },
    );
    expect(summary).toMatchObject({ active: 6, inactive: 1 });
    expect(summary.sheets).toEqual([
      'Summary',
      'Active users',
      'Active users (2)',
      'Active users (3)',
      'Inactive users',
      'Communities',
    ]);
    const book = await readWorkbook(saveTo);
    expect(book.sheetNames).toEqual(summary.sheets);
    const emails = ['Active users', 'Active users (2)', 'Active users (3)'].flatMap((name) => {
      const rows = book.rows(name);
      expect(rows[0][0]).toBe('Email');
      expect(rows.length).toBeLessThanOrEqual(3);
      return rows.slice(1).map((row) => row[0]);
    });
    expect(emails).toEqual([...emails].sort());
    expect(emails).toHaveLength(6);
  });

  it('shows a site name holding line breaks on one line, in the email and the workbook', async () => {
    const lines = await db.factory.site({
      domain: 'lines.example.com',
      name: 'North\r\nSouth\nEast\u2028West\u2029End\rBcc: x@evil.test',
    });
    const boss = await db.factory.manager({ site: lines, email: 'boss@lines.example.com' });
    const oneLine = 'North South East West End Bcc: x@evil.test';
    const summary = await service().exports.exportToEmail({ customer: lines.domain, recipient: boss.email });
    expect(summary.customerName).toBe(oneLine);

    const [{ mail }] = await smtp.waitFor(1);
    expect(mail.subject).toBe(`User activity: ${oneLine} (all time)`);
    expect(mail.text).toContain(
      `\nHere is the user activity of ${oneLine} (lines.example.com), for all time.\n`,
    );
    expect(mail.html).toContain(
      `<p>Here is the user activity of ${oneLine} (lines.example.com), for all time.</p>`,
    );
    const book = await readWorkbook(mail.attachments[0].content);
    const rows = book.rows('Summary');
    expect(rows[0]).toEqual([`User activity of ${oneLine}`]);
    expect(rows.find((row) => row[0] === 'Customer')).toEqual(['Customer', oneLine]);
    const { title, subject, keywords, description } = book.workbook;
    const shown = [mail.subject, mail.text, mail.html, ...rows.flat(), title, subject, keywords, description];
    expect(
      shown.filter((value) => typeof value === 'string' && /[\r\u2028\u2029]|South\n|East\n/.test(value)),
    ).toEqual([]);
  });

  it('shows every date in the time zone asked for, names it, and reads bare dates as its days', async () => {
    const { exports } = service();
    const summary = await exports.exportToEmail({
      customer: 'acme.example.com',
      recipient: 'boss@acme.example.com',
      since: '2024-01-01',
      timeZone: 'Europe/Paris',
    });
    // Midnight in Paris, an hour before midnight UTC in winter.
    expect(summary).toMatchObject({
      timeZone: 'Europe/Paris',
      since: '2023-12-31T23:00:00.000Z',
      until: null,
    });
    const [{ mail }] = await smtp.waitFor(1);
    expect(mail.subject).toBe('User activity: Acme & Co (from 1 January 2024)');
    expect(mail.text).toContain('Period: from 1 January 2024, dates in Europe/Paris');
    expect(mail.text).toContain('Generated: 2026-11-25 09:30 (Europe/Paris)');

    const book = await readWorkbook(mail.attachments[0].content);
    const summarySheet = new Map(book.rows('Summary').map((row) => [row[0], row[1]]));
    expect(summarySheet.get('Time zone')).toBe('Europe/Paris');
    expect(summarySheet.get('Generated')).toBe('2026-11-25 09:30 (Europe/Paris)');
    const inactive = book.rows('Inactive users');
    expect(inactive[0].slice(4, 6)).toEqual(['Date joined (Europe/Paris)', 'Last login (Europe/Paris)']);
    // Joined 2024-05-06T07:08:09Z: 09:08:09 on a Paris clock in summer.
    const danger = inactive.find((row) => row[0] === '@danger@acme.example.com')!;
    expect(danger[4]).toEqual(new Date('2024-05-06T09:08:09Z'));
    expect(book.rows('Active users')[0][5]).toBe('Last login (Europe/Paris)');
  });

  it('refuses an unknown time zone before any work', async () => {
    const { exports } = service();
    await expect(
      exports.exportToEmail({
        customer: 'acme.example.com',
        recipient: 'boss@acme.example.com',
        timeZone: 'Mars/Base',
      }),
    ).rejects.toThrow(
      'timeZone "Mars/Base" is not a time zone: use an IANA name such as Europe/Paris, or UTC.',
    );
    expect(smtp.messages).toHaveLength(0);
  });

  it('writes the email to the outbox as an .eml file when there is no SMTP server', async () => {
    const outbox = path.join(tmp, 'outbox');
    const { exports } = service({ mail: new OutboxMailRepository(outbox) });
    const summary = await exports.exportToEmail({
      customer: 'acme.example.com',
      recipient: 'boss@acme.example.com',
      since: '2026-01-01',
      until: '2026-06-30',
    });
    expect(summary.outboxPath).toMatch(/\.eml$/);
    expect(fs.readdirSync(outbox)).toEqual([path.basename(summary.outboxPath!)]);
    const eml = fs.readFileSync(summary.outboxPath!, 'utf8');
    expect(eml).toMatch(/^To: boss@acme\.example\.com$/im);
    expect(eml).not.toMatch(/^(Cc|Bcc):/im);
    expect(eml).toContain('user-activity-acme.example.com-2026-01-01-to-2026-06-30.xlsx');
    // A bare --until date is that whole day, so the period ends on 30 June.
    expect(eml).toMatch(/^Subject: User activity: Acme & Co \(1 January 2026 to 30 June 2026\)$/m);
    const body = eml.replace(/=\r?\n/g, '');
    expect(body).toContain('comment likes and community memberships have no date in Spotlight');
    expect(summary).toMatchObject({ since: '2026-01-01T00:00:00.000Z', until: '2026-07-01T00:00:00.000Z' });
  });
});

describeEachDatabase('export service on a broken database', (db) => {
  it('fails the export cleanly when a table is missing mid-export: no email, no file', async () => {
    const smtp = await SmtpCapture.start();
    const tmp = makeTmp();
    try {
      const site = await db.factory.site({ domain: 'broken.example.com' });
      await db.factory.manager({ site, email: 'boss@broken.example.com' });
      await db.knex.schema.dropTable('central_ideavote');
      const mail = new SmtpMailRepository(smtp.url);
      const exports = new ExportService(new ActivityRepository(db.knex), mail, {
        mailFrom: 'exports@spotlight.test',
        databaseLabel: 'the test database',
        tmpDir: tmp,
      });
      const failure = exports.exportToEmail({
        customer: 'broken.example.com',
        recipient: 'boss@broken.example.com',
      });
      const error = await failure.then(
        () => 'resolved',
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toMatch(
        /the test database has no Spotlight tables .*run "spotlight db migrate"/,
      );
      mail.close();
      expect(smtp.messages).toHaveLength(0);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      await smtp.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
