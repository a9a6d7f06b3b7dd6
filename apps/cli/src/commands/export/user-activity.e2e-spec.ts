import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { readWorkbook, SmtpCapture } from '@spotlight/testing';
import { filesBelow, parseJson, runCli, startCli, tempDir, type CliRun } from '../../__fixtures__/run-cli';
import type { UserActivityExportResult } from './user-activity';
import type { JsonFailure } from '../../base-command';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ACTIVE_HEADER = [
  'Email',
  'First name',
  'Last name',
  'Engagement',
  'Account',
  'Last login (UTC)',
  'Challenges created',
  'Ideas created',
  'Comments submitted',
  'Comment likes given',
  'Idea votes',
  'Conversations created',
  'Communities created',
  'Communities managed',
  'Communities joined',
];

/** The first `count` cells of a row, empty ones as null. */
function cells(row: unknown[], count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => row[i] ?? null);
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((object) =>
    object.value.map((v) => v.address ?? ''),
  );
}

/** One line on stderr that starts with "Error: ", nothing on stdout. */
function expectOneLineError(run: CliRun, exitCode: number, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: exitCode, stdout: '' });
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^Error: /);
  expect(run.stderr).toMatch(message);
}

interface ErrorCase {
  name: string;
  args: string[];
  env?: Record<string, string>;
  exit: number;
  message: RegExp;
}

/** Runs every case concurrently (each with its own --out) and checks each failed as expected. */
async function expectRefusals(
  cases: ErrorCase[],
  env: Record<string, string>,
  outDir: string,
): Promise<void> {
  const runs = await Promise.all(
    cases.map((testCase, i) =>
      runCli(['export', 'user-activity', ...testCase.args, '--out', path.join(outDir, `${i}.xlsx`)], {
        ...env,
        ...testCase.env,
      }),
    ),
  );
  cases.forEach((testCase, i) => {
    try {
      expectOneLineError(runs[i], testCase.exit, testCase.message);
    } catch (error) {
      throw new Error(`${testCase.name}: ${(error as Error).message}\nstderr: ${runs[i].stderr}`);
    }
  });
}

describeEachDatabase('spotlight export user-activity', (db) => {
  let smtp: SmtpCapture;
  let dir: string;
  let site: SiteRow;
  let otherSite: SiteRow;
  let manager: UserRow;
  let alice: UserRow;
  let community: { name?: string };
  let env: Record<string, string>;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    dir = tempDir();
    const f = db.factory;
    site = await f.site({ name: 'Acme' });
    otherSite = await f.site({ name: 'Globex' });
    // Stored with odd case and spaces: the guard compares trimmed and case-insensitively.
    manager = await f.manager({
      site,
      email: `Manager@${site.domain}`,
      first_name: 'Mona',
      last_name: 'Manager',
    });
    alice = await f.user({ site, email: `alice@${site.domain}`, first_name: 'Alice', last_name: 'Active' });
    await f.user({ site, email: `staff@${site.domain}` });
    await f.manager({ site, email: `former@${site.domain}`, is_active: false });
    // The old tool mailed whoever it processed last: here that is another manager.
    await f.manager({ site, email: `zz-other-manager@${site.domain}` });

    community = await f.community({ site, creator: manager, name: 'Makers' });
    await f.communityManager(community as never, manager);
    await f.communityMember(community as never, alice);
    const challenge = await f.challenge({ site, creator: alice });
    const idea = await f.idea({ site, creator: alice, challenge });
    const comment = await f.comment({ site, creator: alice, idea });
    await f.commentLike(comment, alice);
    await f.vote({ creator: alice, idea });
    await f.conversation({ site, creator: alice });

    // Another customer, with its own manager and activity that must never show up.
    const boss = await f.manager({ site: otherSite, email: `boss@${otherSite.domain}` });
    await f.idea({ site: otherSite, creator: boss });

    env = {
      DATABASE_URL: db.url,
      SMTP_URL: smtp.url,
      SPOTLIGHT_OUTBOX_DIR: path.join(dir, 'unused-outbox'),
    };
  });

  beforeEach(() => smtp.clear());

  afterAll(async () => {
    await smtp?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('emails the workbook to that manager alone, keeps a copy with --out and prints one summary', async () => {
    const out = path.join(dir, 'kept', 'activity.xlsx');
    const day = today();
    const run = await runCli(
      ['export', 'user-activity', '-c', site.domain, '-e', manager.email.toLowerCase(), '--out', out],
      env,
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const attachment = `user-activity-${site.domain}-all-time-${day}.xlsx`;
    expect(run.stdout).toMatch(
      new RegExp(
        `^Exported ${site.domain} \\(Acme\\): 2 users with activity and 3 without, [\\d.]+ KiB, [\\d.]+ s\\.$`,
        'm',
      ),
    );
    expect(run.stdout).toContain(`Emailed ${attachment} to ${manager.email} through ${smtp.url}.`);
    expect(run.stdout).toContain(`Workbook saved to ${out}`);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(3);
    // Statement counts are for --json and --verbose; "active" would read as the accounts' state.
    expect(run.stdout).not.toMatch(/quer(y|ies)|statement|\bactive\b/i);

    expect(smtp.messages).toHaveLength(1);
    const [{ envelope, mail }] = smtp.messages;
    expect(envelope.to).toEqual([manager.email]);
    expect(mail.headers.has('cc')).toBe(false);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(addresses(mail.to)).toEqual([manager.email]);
    expect(mail.subject).toBe('User activity: Acme (all time)');
    // The operator's OS account is ours, not the customer's business: no name was asked for.
    expect(mail.text).toMatch(/^Requested by Spotlight support\. It is sent once/m);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe(attachment);
    expect(mail.attachments[0].contentType).toBe(XLSX);

    const workbook = await readWorkbook(mail.attachments[0].content);
    expect(workbook.sheetNames).toEqual(['Summary', 'Active users', 'Inactive users', 'Communities']);
    const active = workbook.rows('Active users');
    expect(active[0]).toEqual(ACTIVE_HEADER);
    expect(active.slice(1).map((row) => cells(row, 15))).toEqual([
      [alice.email, 'Alice', 'Active', 'Creator', 'Active', null, 1, 1, 1, 1, 1, 1, 0, null, 'Makers'],
      [manager.email, 'Mona', 'Manager', 'Creator', 'Active', null, 0, 0, 0, 0, 0, 0, 1, 'Makers', null],
    ]);
    expect(
      workbook
        .rows('Inactive users')
        .slice(1)
        .map((row) => row[0]),
    ).toEqual([`former@${site.domain}`, `staff@${site.domain}`, `zz-other-manager@${site.domain}`]);
    // The copy kept with --out is the very file that was sent.
    expect(fs.readFileSync(out).equals(mail.attachments[0].content)).toBe(true);
  });

  it('names a person in the email only when --requested-by asks, while the history records the operator', async () => {
    const run = await runCli(
      [
        'export',
        'user-activity',
        ...['-c', site.domain, '-e', manager.email, '--operator', 'ops-account-7', '--json'],
        ...['--requested-by', '  Jane Doe, Spotlight support '],
      ],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { historyId } = parseJson<UserActivityExportResult>(run);
    const [{ mail }] = smtp.messages;
    expect(mail.text).toMatch(/^Requested by Jane Doe, Spotlight support\. It is sent once/m);
    expect(mail.html).toContain('Requested by Jane Doe, Spotlight support.');
    expect(`${mail.text}${mail.html}`).not.toContain('ops-account-7');

    const history = await runCli(['exports', 'list', '-c', site.domain, '--json'], env);
    const entries = parseJson<{ exports: Array<{ id: number; operator: string | null }> }>(history).exports;
    expect(entries.find((entry) => entry.id === historyId)).toMatchObject({ operator: 'ops-account-7' });
  });

  it('prints the summary as JSON with --json', async () => {
    const run = await runCli(
      ['export', 'user-activity', '--customer', site.domain, '--email', manager.email, '--json'],
      env,
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = parseJson<UserActivityExportResult>(run);
    expect(summary).toEqual({
      customer: site.domain,
      customerName: 'Acme',
      recipient: manager.email,
      since: null,
      until: null,
      timeZone: 'UTC',
      active: 2,
      inactive: 3,
      sheets: ['Summary', 'Active users', 'Inactive users', 'Communities'],
      bytes: expect.any(Number),
      queries: expect.any(Number),
      historyId: expect.any(Number),
      warnings: [],
      durationMs: expect.any(Number),
      generatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      attachmentName: `user-activity-${site.domain}-all-time-${summary.generatedAt.slice(0, 10)}.xlsx`,
      sent: true,
      messageId: expect.any(String),
      outboxPath: null,
      savedTo: null,
      delivery: 'attachment',
      downloadUrl: null,
      expiresAt: null,
      deliveredVia: smtp.url,
      period: 'all time',
    });
    expect(summary.bytes).toBeGreaterThan(1000);
    // Lock, snapshot, unlock, history: see user-activity.queries.e2e-spec.ts.
    expect(summary.queries).toBe(db.dialect === 'mariadb' ? 11 : 8);
    expect(smtp.messages.map((message) => message.envelope.to)).toEqual([[manager.email]]);
    expect(smtp.messages[0].mail.attachments[0].size).toBe(summary.bytes);
  });

  it('emails a download link instead above SPOTLIGHT_MAX_ATTACHMENT_BYTES, or refuses without SPOTLIGHT_PUBLIC_URL', async () => {
    const storage = path.join(dir, 'storage');
    const limited = { ...env, SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024', SPOTLIGHT_STORAGE_DIR: storage };
    const refused = await runCli(
      ['export', 'user-activity', '-c', site.domain, '-e', manager.email],
      limited,
    );
    expectOneLineError(
      refused,
      2,
      /above the 1\.0 KiB attachment limit, and SPOTLIGHT_PUBLIC_URL is not set/,
    );
    expect(smtp.messages).toHaveLength(0);
    expect(fs.existsSync(storage)).toBe(false);

    const run = await runCli(['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--json'], {
      ...limited,
      SPOTLIGHT_PUBLIC_URL: 'https://exports.example.test',
    });
    expect(run.code).toBe(0);
    const summary = parseJson<UserActivityExportResult>(run);
    expect(summary).toMatchObject({
      sent: true,
      delivery: 'link',
      downloadUrl: expect.stringMatching(/^https:\/\/exports\.example\.test\/downloads\/[\w-]{43}$/),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // The INSERT of the link comes on top of the export's statements (8, or 11 on MySQL).
    expect(summary.queries).toBe(db.dialect === 'mariadb' ? 12 : 9);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].mail.attachments).toHaveLength(0);
    expect(smtp.messages[0].mail.text).toContain(summary.downloadUrl);
    const kept = fs.readdirSync(storage);
    expect(kept).toHaveLength(1);
    expect((await readWorkbook(path.join(storage, kept[0]))).sheetNames).toEqual(summary.sheets);
  });

  it('reads bare --since/--until dates as days of --time-zone and shows the workbook in it', async () => {
    const out = path.join(dir, 'tokyo.xlsx');
    const run = await runCli(
      [
        'export',
        'user-activity',
        ...['-c', site.domain, '-e', manager.email, '--dry-run', '--json', '--out', out],
        ...['--since', '2026-01-01', '--until', '2026-01-31', '--time-zone', 'Asia/Tokyo'],
      ],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Tokyo is UTC+9: its 1 January starts at 15:00 UTC the day before.
    expect(parseJson<UserActivityExportResult>(run)).toMatchObject({
      timeZone: 'Asia/Tokyo',
      since: '2025-12-31T15:00:00.000Z',
      until: '2026-01-31T15:00:00.000Z',
      attachmentName: `user-activity-${site.domain}-2026-01-01-to-2026-01-31.xlsx`,
    });
    const book = await readWorkbook(out);
    const summary = new Map(book.rows('Summary').map((row) => [row[0], row[1]]));
    expect(summary.get('Period')).toBe('1 January 2026 to 31 January 2026');
    expect(summary.get('Time zone')).toBe('Asia/Tokyo');
    expect(book.rows('Inactive users')[0]).toContain('Last login (Asia/Tokyo)');
  });

  it('tells the manager who lapsed since the previous month, and nothing of change for an open range', async () => {
    // Everything here was created in June 2026: July's export finds it all lapsed.
    const run = await runCli(
      [
        'export',
        'user-activity',
        ...['-c', site.domain, '-e', manager.email],
        ...['--since', '2026-07-01', '--until', '2026-07-31', '--time-zone', 'Europe/Paris'],
      ],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    expect(message.mail.text).toContain('Lapsed: 2 (active in June 2026, not in this period)');
    expect(message.mail.text).toContain('New: 0 (active in this period, not in June 2026)');
    const book = await readWorkbook(message.mail.attachments[0].content);
    expect(book.sheetNames).toEqual([
      'Summary',
      'Active users',
      'Inactive users',
      'Lapsed users',
      'Communities',
    ]);
    expect(book.rows('Lapsed users').map((row) => row.slice(0, 5))).toEqual([
      ['Email', 'First name', 'Last name', 'Account', 'Level in the previous period'],
      [alice.email, 'Alice', 'Active', 'Active', 'Creator'],
      [manager.email, 'Mona', 'Manager', 'Active', 'Creator'],
    ]);
    const summary = book.rows('Summary').map((row) => row.slice(0, 2));
    const at = summary.findIndex((row) => row[0] === 'Change since June 2026');
    expect(summary.slice(at, at + 5)).toEqual([
      ['Change since June 2026', 'Users'],
      ['New', 0],
      ['Retained', 0],
      ['Lapsed', 2],
      ['Idle in both', 3],
    ]);

    const out = path.join(dir, 'open-range.xlsx');
    const open = await runCli(
      [
        'export',
        'user-activity',
        ...['-c', site.domain, '-e', manager.email, '--dry-run', '--out', out, '--since', '2026-07-01'],
      ],
      env,
    );
    expect(open.code).toBe(0);
    const openBook = await readWorkbook(out);
    expect(openBook.sheetNames).toEqual(['Summary', 'Active users', 'Inactive users', 'Communities']);
    expect(openBook.rows('Summary').flat().join(' ')).not.toMatch(/change|lapsed/i);
  });

  it('builds the workbook with --dry-run but sends nothing, and passes --since/--until on', async () => {
    const out = path.join(dir, 'dry-run.xlsx');
    const run = await runCli(
      [
        'export',
        'user-activity',
        '-c',
        site.domain,
        '-e',
        manager.email,
        '--dry-run',
        '--out',
        out,
        '--since',
        '2027-01-01',
        '--until',
        '2027-12-31',
      ],
      env,
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(', activity from 2027-01-01 to 2027-12-31 (UTC):');
    expect(run.stdout).toContain(
      `Dry run: nothing was sent (${manager.email} would have received user-activity-${site.domain}-2027-01-01-to-2027-12-31.xlsx).`,
    );
    expect(run.stdout).toContain(`Workbook saved to ${out}`);
    expect(smtp.messages).toHaveLength(0);
    expect(fs.readdirSync(dir)).not.toContain('unused-outbox');

    // Nothing was created in 2027: nobody is active in it. Likes and memberships
    // have no date; they are still listed, "(all time)", but make nobody active.
    const book = await readWorkbook(out);
    expect(book.rows('Active users')).toHaveLength(1);
    const inactive = book.rows('Inactive users');
    expect(inactive[0].slice(7)).toEqual([
      'Comment likes given (all time)',
      'Communities managed (all time)',
      'Communities joined (all time)',
    ]);
    const undated = new Map(inactive.slice(1).map((row) => [row[0], cells(row, 10).slice(7)]));
    expect(undated.get(alice.email)).toEqual([1, null, 'Makers']);
    expect(undated.get(manager.email)).toEqual([0, 'Makers', null]);
  });

  it('writes the email into the outbox and prints its path when SMTP_URL is not set', async () => {
    const outbox = path.join(dir, 'outbox');
    const run = await runCli(['export', 'user-activity', '-c', site.domain, '-e', manager.email], {
      DATABASE_URL: db.url,
      SPOTLIGHT_OUTBOX_DIR: outbox,
    });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = path.join(outbox, files[0]);
    expect(run.stdout).toContain(`Email to ${manager.email} with user-activity-${site.domain}-`);
    expect(run.stdout.trimEnd().endsWith(`written to ${eml}`)).toBe(true);

    const mail = await simpleParser(fs.readFileSync(eml));
    expect(addresses(mail.to)).toEqual([manager.email]);
    expect(mail.headers.has('cc') || mail.headers.has('bcc')).toBe(false);
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      [`user-activity-${site.domain}-all-time-${today()}.xlsx`, XLSX],
    ]);
    expect((await readWorkbook(mail.attachments[0].content)).rows('Active users')).toHaveLength(3);
    expect(smtp.messages).toHaveLength(0);
  });

  it('refuses a recipient or customer the database rules out with its own exit code and one line, sending and writing nothing', async () => {
    const errors = path.join(dir, 'errors');
    const cases: ErrorCase[] = [
      {
        name: 'unknown customer',
        args: ['-c', `nope-${site.domain}`, '-e', manager.email],
        exit: 3,
        message: /No customer has the domain/,
      },
      {
        name: 'unknown address',
        args: ['-c', site.domain, '-e', `nobody@${site.domain}`],
        exit: 4,
        message: /is not a user of/,
      },
      {
        name: 'manager of another site only',
        args: ['-c', site.domain, '-e', `boss@${otherSite.domain}`],
        exit: 4,
        message: new RegExp(`manages ${otherSite.domain}, not ${site.domain}`),
      },
      {
        name: 'non-manager',
        args: ['-c', site.domain, '-e', `staff@${site.domain}`],
        exit: 4,
        message: /not a manager/,
      },
      {
        name: 'inactive manager',
        args: ['-c', site.domain, '-e', `FORMER@${site.domain}`],
        exit: 4,
        message: /inactive/,
      },
    ];
    await expectRefusals(cases, env, errors);
    expect(fs.existsSync(errors)).toBe(false);
    expect(smtp.messages).toHaveLength(0);
  });

  it('prints errors as JSON too with --json', async () => {
    const [unknown, usage] = await Promise.all([
      runCli(['export', 'user-activity', '-c', `nope-${site.domain}`, '-e', manager.email, '--json'], env),
      runCli(['export', 'user-activity', '-c', site.domain, '--json'], env),
    ]);

    expect(unknown.code).toBe(3);
    expect(parseJson<JsonFailure>(unknown)).toEqual({
      error: {
        code: 'CUSTOMER_NOT_FOUND',
        exitCode: 3,
        message: expect.stringContaining(`nope-${site.domain}`),
      },
    });
    expect(unknown.stderr).toMatch(/^Error: No customer has the domain .*\n$/);
    expect(usage.code).toBe(2);
    expect(parseJson<JsonFailure>(usage)).toEqual({
      error: { code: 'USAGE', exitCode: 2, message: expect.stringContaining('Missing required flag email') },
    });
  });

  it('exits 5 when the SMTP server refuses the message, keeping no --out file', async () => {
    const refusing = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
    try {
      const out = path.join(dir, 'refused.xlsx');
      const run = await runCli(
        ['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--out', out],
        {
          ...env,
          SMTP_URL: refusing.url,
        },
      );

      expectOneLineError(
        run,
        5,
        /Could not send the email through smtp:\/\/127\.0\.0\.1:\d+: .*Mailbox unavailable/,
      );
      expect(fs.existsSync(out)).toBe(false);
      expect(refusing.messages).toHaveLength(0);
    } finally {
      await refusing.stop();
    }
  });
});

// These fail before any database work, so they run once, with a database
// that cannot be reached: touching it would turn the expected exit code into 6.
describe('spotlight export user-activity: usage and environment errors', () => {
  const unreachable = { DATABASE_URL: 'mysql://root@127.0.0.1:1/x', SMTP_URL: 'smtp://127.0.0.1:1' };
  let dir: string;

  beforeAll(() => {
    dir = tempDir();
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 2 for bad usage and 6 for an unreachable database, with one line and no file', async () => {
    const errors = path.join(dir, 'errors');
    const args = ['-c', 'example.com', '-e', 'manager@example.com'];
    const cases: ErrorCase[] = [
      {
        name: 'malformed address',
        args: ['-c', 'example.com', '-e', 'manager.example.com'],
        exit: 2,
        message: /is not an email address/,
      },
      {
        name: 'malformed customer',
        args: ['-c', 'not a domain', '-e', 'manager@example.com'],
        exit: 2,
        message: /is not a customer domain/,
      },
      {
        name: 'bad --since',
        args: [...args, '--since', '2026-02-30'],
        exit: 2,
        message: /--since "2026-02-30" is not a date/,
      },
      {
        name: 'unknown --time-zone',
        args: [...args, '--time-zone', 'Europe/Atlantis'],
        exit: 2,
        message:
          /^Error: --time-zone "Europe\/Atlantis" is not a time zone: use an IANA name such as Europe\/Paris, or UTC\.\n$/,
      },
      {
        name: '--since after --until',
        args: [...args, '--since', '2026-05-01', '--until', '2026-04-01'],
        exit: 2,
        message: /--since must be earlier than --until/,
      },
      {
        name: 'missing --email',
        args: ['-c', 'example.com'],
        exit: 2,
        message: /Missing required flag email/,
      },
      {
        name: 'unknown flag',
        args: [...args, '--bcc', 'x@y.com'],
        exit: 2,
        message: /Nonexistent flag: --bcc/,
      },
      {
        name: 'database unreachable',
        args,
        exit: 6,
        message: /Cannot use the database at mysql:\/\/root@127\.0\.0\.1:1\/x: .*ECONNREFUSED/,
      },
      {
        name: 'bad DATABASE_URL',
        args,
        env: { DATABASE_URL: 'postgres://db/spotlight' },
        exit: 2,
        message: /Invalid configuration: DATABASE_URL must be/,
      },
    ];
    await expectRefusals(cases, unreachable, errors);
    expect(fs.existsSync(errors)).toBe(false);
  });

  it('exits 2 with one line for an unknown command', async () => {
    const run = await runCli(['export', 'everything'], unreachable);
    expectOneLineError(run, 2, /"export everything" is not a spotlight command/);
  });

  it('exits 2 when --out names a folder, before any database work', async () => {
    const run = await runCli(
      ['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com', '--out', dir],
      unreachable,
    );
    expectOneLineError(run, 2, new RegExp(`^Error: --out ${dir} is a folder; give a file name`));
  });

  it('exits 2 when --out names a pipe or a device, which stays as it was', async () => {
    const pipe = path.join(dir, 'pipe');
    execFileSync('mkfifo', [pipe]);
    const run = await runCli(
      ['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com', '--out', pipe],
      unreachable,
    );
    expectOneLineError(
      run,
      2,
      new RegExp(`^Error: --out ${pipe} is not a regular file; give a file name\\.`),
    );
    expect(fs.statSync(pipe).isFIFO()).toBe(true);
  });

  it('exits 2 when --out names the SQLite database itself, which stays as it was', async () => {
    const database = path.join(dir, 'spotlight.sqlite');
    fs.writeFileSync(database, '');
    const run = await runCli(
      ['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com', '--out', database],
      { ...unreachable, DATABASE_URL: `sqlite://${database}` },
    );
    expectOneLineError(
      run,
      2,
      new RegExp(
        `^Error: --out ${database} is the database itself \\(DATABASE_URL\\); give another file name\\.`,
      ),
    );
    expect(fs.statSync(database).size).toBe(0);
  });

  it('prints a stack trace only when DEBUG is set', async () => {
    const run = await runCli(['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com'], {
      ...unreachable,
      DEBUG: '1',
    });

    expect(run.code).toBe(6);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^Error: Cannot use the database at mysql:/));
    expect(lines.slice(1).some((line) => /^\s+at /.test(line))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^Caused by: Error: connect ECONNREFUSED/));
  });
});

describe('spotlight export user-activity interrupted', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir();
    env = {
      DATABASE_URL: `sqlite://${path.join(dir, 'big.sqlite')}`,
      SPOTLIGHT_OUTBOX_DIR: path.join(dir, 'outbox'),
    };
    for (const args of [
      ['db', 'migrate'],
      ['db', 'seed', '--users', '6000', '--domain', 'big.example.com'],
    ]) {
      const run = await runCli(args, env);
      if (run.code !== 0) throw new Error(`spotlight ${args.join(' ')} failed: ${run.stderr}`);
    }
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves no scratch file, no --out file and no email behind on Ctrl-C, and exits 130', async () => {
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const out = path.join(dir, 'interrupted.xlsx');
    const { child, done } = startCli(
      ['export', 'user-activity', '-c', 'big.example.com', '-e', 'manager@big.example.com', '--out', out],
      {
        ...env,
        TMPDIR: tmp,
      },
    );
    // Interrupt once the workbook is being written into its scratch folder.
    const deadline = Date.now() + 20_000;
    const exporting = () => filesBelow(tmp).length > 0;
    while (!exporting()) {
      if (Date.now() > deadline) throw new Error('the export never started writing');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGINT');
    const run = await done;

    expect(run).toEqual({
      code: 130,
      stdout: '',
      stderr: expect.stringMatching(
        /^Error: Interrupted by SIGINT before the email was sent: nothing was sent, and the history records it as export \d+, failed \(INTERRUPTED\); run it again to send it\.\n$/,
      ) as string,
    });
    // The private scratch root stays (every process's folder goes in it); nothing is left inside.
    expect(filesBelow(tmp)).toEqual([]);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('interrupted'))).toEqual([]);
    expect(fs.existsSync(env.SPOTLIGHT_OUTBOX_DIR)).toBe(false);
  });
});
