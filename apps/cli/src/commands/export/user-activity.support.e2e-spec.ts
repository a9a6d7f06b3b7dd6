import fs from 'node:fs';
import path from 'node:path';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { parseJson, runCli, startCli, tempDir } from '../../__fixtures__/run-cli';
import { startStalledSmtp, within } from '../../__fixtures__/stalled-smtp';
import type { JsonFailure } from '../../base-command';

describeEachDatabase('spotlight export user-activity, what support reads', (db) => {
  let dir: string;
  let site: SiteRow;
  let manager: UserRow;
  let smtp: SmtpCapture;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir();
    smtp = await SmtpCapture.start();
    site = await db.factory.site({ name: 'Units' });
    manager = await db.factory.manager({ site });
    await db.factory.idea({ site, creator: manager });
    env = { DATABASE_URL: db.url, SMTP_URL: smtp.url };
  });

  afterAll(async () => {
    await smtp?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    'prints the JSON error envelope on stdout when %s interrupts a --json export',
    async (signal, exitCode) => {
      const stalled = await startStalledSmtp();
      try {
        const { child, done } = startCli(
          ['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--json'],
          { ...env, SMTP_URL: stalled.url },
        );
        // The workbook is built and the email is on its way: the export is in the middle of its work.
        await within(stalled.connected, 30_000, 'the connection to the SMTP server');
        child.kill(signal);
        const run = await done;

        expect(run.code).toBe(exitCode);
        expect(parseJson<JsonFailure>(run)).toEqual({
          error: {
            code: 'INTERRUPTED',
            message: expect.stringMatching(
              new RegExp(
                `^Interrupted by ${signal} before the email was sent: nothing was sent, and the history records it as export \\d+, failed \\(INTERRUPTED\\); run it again to send it\\.$`,
              ),
            ) as string,
            exitCode,
          },
        });
        expect(run.stderr).toBe(`Error: ${parseJson<JsonFailure>(run).error.message}\n`);
      } finally {
        await stalled.stop();
      }
    },
  );

  // `--since "$SINCE"` with SINCE unset must not become an all-time export nobody asked for.
  it.each([
    ['--since', ''],
    ['--until', ' '],
    ['--time-zone', ''],
    ['--out', ''],
    ['--operator', ''],
    ['--requested-by', ''],
    ['--customer', ''],
    ['--email', ''],
  ])('refuses an empty %s in one line, exit 2, and sends nothing', async (flag, value) => {
    const given = { '--customer': site.domain, '--email': manager.email, [flag]: value };
    const args = ['export', 'user-activity', ...Object.entries(given).flat()];
    smtp.clear();
    const run = await runCli(args, env);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    const required = flag === '--customer' || flag === '--email';
    expect(run.stderr).toBe(
      `Error: ${flag} is empty: give it a value${required ? '' : ', or leave it out'}.\n`,
    );
    expect(smtp.messages).toHaveLength(0);
  });

  it('refuses names and domains that would be stored or printed as more than one line, exit 2', async () => {
    smtp.clear();
    const exportArgs = ['export', 'user-activity', '-c', site.domain, '-e', manager.email];
    const cases: Array<[string[], string]> = [
      [
        [...exportArgs, '--operator', 'alice\nError: forged'],
        'Error: --operator "alice\\nError: forged" must be one line of text, without control characters.\n',
      ],
      [
        ['token', 'create', '--staff', '--label', 'ops\nteam'],
        'Error: --label "ops\\nteam" must be one line of text, without control characters.\n',
      ],
      [
        ['exports', 'list', '-c', 'exa mple'],
        'Error: "exa mple" is not a customer domain like example.com.\n',
      ],
      [
        ['db', 'seed', '--users', '3', '--domain', 'x.example.com', '--name', 'Evil\nError: forged'],
        'Error: --name "Evil\\nError: forged" must be one line of text, without control characters.\n',
      ],
      [
        ['db', 'seed', '--users', '3', '--domain', 'bad domain'],
        'Error: "bad domain" is not a customer domain like example.com.\n',
      ],
      [
        ['export', 'user-activity', '-c', site.domain, '-e', 'x\u001b[2J@example.com'],
        'Error: "x\\u001b[2J@example.com" is not an email address like manager@example.com.\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const run = await runCli(args, env);
      expect({ args, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        args,
        code: 2,
        stdout: '',
        stderr,
      });
    }
    expect(smtp.messages).toHaveLength(0);
    const tokens = await db.knex('spotlight_export_token').count({ n: '*' }).first();
    expect(Number(tokens?.n)).toBe(0);
    expect(await db.knex('django_site').where({ domain: 'bad domain' }).first()).toBeUndefined();
  });

  it.each([
    ['a CSV name', 'activity.csv', 'activity.csv'],
    ['no extension', 'activity', 'activity'],
    ['.xls in an .xlsx folder', 'book.xlsx/activity.xls', 'activity.xls'],
  ])('refuses an --out with %s in one line, exit 2, before any work', async (_what, name, echo) => {
    smtp.clear();
    const out = path.join(dir, name);
    const run = await runCli(
      ['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--out', out],
      // Any database work would fail with exit 6: the refusal must come first.
      { ...env, DATABASE_URL: 'mysql://root@127.0.0.1:1/nothing' },
    );
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toBe(
      `Error: --out "${echo}" is not an .xlsx file name; the export writes an Excel workbook: give a name ending in .xlsx, such as activity.xlsx.\n`,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(smtp.messages).toHaveLength(0);
  });

  it('keeps the workbook at an --out ending in .XLSX, in any case', async () => {
    const out = path.join(dir, 'Activity.XLSX');
    const run = await runCli(
      ['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--dry-run', '--out', out],
      env,
    );
    expect(run.code).toBe(0);
    expect(fs.statSync(out).size).toBeGreaterThan(0);
  });

  it.each(['smtp://127.0.0.1:99999', 'smtp://127.0.0.1:0', 'smtps://user:secret@mail.example.com:65536'])(
    'refuses SMTP_URL %s at start, exit 2, in one line naming it',
    async (smtpUrl) => {
      smtp.clear();
      const runs = () => db.knex('spotlight_export_run').where({ customer: site.domain }).count({ n: '*' });
      const before = await runs();
      const run = await runCli(['export', 'user-activity', '-c', site.domain, '-e', manager.email], {
        ...env,
        SMTP_URL: smtpUrl,
      });
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).toBe(
        'Error: Invalid configuration: SMTP_URL must have a port from 1 to 65535, like smtp://user:password@host:587\n',
      );
      expect(run.stderr).not.toContain('secret');
      expect(await runs()).toEqual(before);
    },
  );

  it('refuses a --requested-by the email could not show as one line of at most 200 characters, exit 2', async () => {
    smtp.clear();
    const exportArgs = ['export', 'user-activity', '-c', site.domain, '-e', manager.email];
    const cases: Array<[string, string]> = [
      [
        'Jane Doe\nBcc: x@evil.test',
        'Error: --requested-by "Jane Doe\\nBcc: x@evil.test" must be one line of text, without control characters.\n',
      ],
      ['J'.repeat(201), `Error: --requested-by "${'J'.repeat(60)}…" is longer than 200 characters.\n`],
    ];
    const runs = await Promise.all(
      cases.map(([value]) => runCli([...exportArgs, '--requested-by', value], env)),
    );
    expect(runs.map((run) => ({ code: run.code, stdout: run.stdout, stderr: run.stderr }))).toEqual(
      cases.map(([, stderr]) => ({ code: 2, stdout: '', stderr })),
    );
    expect(smtp.messages).toHaveLength(0);
  });

  it('uses one size unit, KiB, in the summary and in the attachment-limit error', async () => {
    // One after the other: a second export of the customer while one runs is refused.
    const sent = await runCli(['export', 'user-activity', '-c', site.domain, '-e', manager.email], env);
    const refused = await runCli(['export', 'user-activity', '-c', site.domain, '-e', manager.email], {
      ...env,
      SPOTLIGHT_MAX_ATTACHMENT_BYTES: '2048',
      SPOTLIGHT_STORAGE_DIR: path.join(dir, 'storage'),
    });
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/ without, \d+\.\d KiB, /);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^Error: The workbook is \d+\.\d KiB, above the 2\.0 KiB attachment limit/,
    );
    expect(`${sent.stdout}${refused.stderr}`).not.toMatch(/\bK?B\b|\bMB\b/);
  });

  it('says the range back in the days and zone asked for, and its UTC instants only with --verbose', async () => {
    const asked = ['--since', '2026-01-01', '--until', '2026-03-31', '--time-zone', 'Europe/Paris'];
    const dryRun = ['export', 'user-activity', '-c', site.domain, '-e', manager.email, '--dry-run'];
    const [both, verbose, sinceOnly, untilOnly, help] = await Promise.all([
      runCli([...dryRun, ...asked], env),
      runCli([...dryRun, ...asked, '--verbose'], env),
      runCli(
        [
          'export',
          'user-activity',
          '-c',
          site.domain,
          '-e',
          manager.email,
          '--dry-run',
          '--since',
          '2026-01-01',
        ],
        env,
      ),
      runCli(
        [
          'export',
          'user-activity',
          '-c',
          site.domain,
          '-e',
          manager.email,
          '--dry-run',
          '--until',
          '2026-03-31T12:00:00Z',
        ],
        env,
      ),
      runCli(['export', 'user-activity', '--help'], env),
    ]);
    expect(both.stdout).toContain(
      `Exported ${site.domain} (Units), activity from 2026-01-01 to 2026-03-31 (Europe/Paris): `,
    );
    expect(both.stdout).not.toMatch(/T\d\d:\d\d|quer|statement/);
    expect(both.stdout).not.toContain('Range in UTC');
    // --verbose adds the exact instants: a bare --until is the next midnight, not included.
    expect(verbose.stdout).toContain(`(Units), activity from 2026-01-01 to 2026-03-31 (Europe/Paris): `);
    expect(verbose.stdout).toContain(
      'Range in UTC: from 2025-12-31T23:00:00.000Z until 2026-03-31T22:00:00.000Z (exclusive).',
    );
    expect(verbose.stdout).toMatch(/^SQL statements: \d+, on every database the export touched\.$/m);
    expect(sinceOnly.stdout).toContain(`(Units), activity from 2026-01-01 (UTC):`);
    expect(untilOnly.stdout).toContain(
      `(Units), activity from the beginning until 2026-03-31 12:00 (not included) (UTC):`,
    );
    expect(help.stdout).not.toMatch(/inclusive/);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(
      '--until=<value> Only activity created before this date-time, or before the end of this date (YYYY-MM-DD, in --time-zone: the whole day counts).',
    );
  });
});
