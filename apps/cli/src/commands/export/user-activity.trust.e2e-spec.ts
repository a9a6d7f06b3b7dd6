import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import {
  filesBelow,
  parseJson,
  runCli,
  startCli,
  tempDir,
  type CliRun,
  waitUntil,
} from '../../__fixtures__/run-cli';
import type { ExportsListResult } from '../exports/list';

/**
 * The promise, through the binary: one export ends in exactly one email to
 * exactly the requested manager, or in a recorded failure with its own exit
 * code and nothing left behind, whatever else is going on.
 */

/** One line on stderr starting "Error: " and the exit code. */
function expectOneLineError(run: CliRun, exitCode: number, message: RegExp): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({
    code: exitCode,
    stderr: expect.stringMatching(message),
  });
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^Error: /);
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** Real full and read-only disks are small tmpfs mounts, which only root can make (CI runs as root). */
const rootOnly = asRoot ? it : it.skip;

function mountTmpfs(dir: string, options: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  return () => execFileSync('umount', ['-l', dir]);
}

describeEachDatabase('spotlight export user-activity, delivery trust', (db) => {
  let dir: string;
  let site: SiteRow;
  let manager: UserRow;
  let nonManager: UserRow;
  let scratch: string;
  const env = (smtp: SmtpCapture, extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    SMTP_URL: smtp.url,
    SPOTLIGHT_SCRATCH_DIR: scratch,
    ...extra,
  });
  const exportArgs = (...more: string[]) => [
    'export',
    'user-activity',
    '-c',
    site.domain,
    '-e',
    manager.email,
    ...more,
  ];
  const history = async (smtp: SmtpCapture) =>
    parseJson<ExportsListResult>(
      await runCli(['exports', 'list', '-c', site.domain, '--limit', '100', '--json'], env(smtp)),
    ).exports;

  beforeAll(async () => {
    dir = tempDir();
    scratch = path.join(dir, 'scratch');
    site = await db.factory.site({ name: 'Trust' });
    manager = await db.factory.manager({ site, email: `boss@${site.domain}` });
    nonManager = await db.factory.user({ site, email: `staff@${site.domain}` });
    await db.factory.idea({ site, creator: manager });
    for (let i = 0; i < 40; i += 1) await db.factory.user({ site, email: `idle${i}@${site.domain}` });
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second and third export of the customer while one runs (exit 7, who and since when), and records all three', async () => {
    const smtp = await SmtpCapture.start({ holdData: true });
    try {
      const first = startCli(exportArgs('--operator', 'alice'), env(smtp));
      await waitUntil(() => smtp.dataStarted > 0, 20_000, 'the first export reaching DATA');
      // The first export is mid-send, holding the customer, until the server lets its message through.
      const [second, third] = await Promise.all([
        runCli(exportArgs('--operator', 'bob'), env(smtp)),
        runCli(exportArgs('--operator', 'carol'), env(smtp)),
      ]);
      smtp.releaseHeld();
      for (const refused of [second, third]) {
        expectOneLineError(
          refused,
          7,
          new RegExp(
            `^Error: An export of ${site.domain.replace(/\./g, '\\.')} is already running \\(cli: alice, on .+ \\(pid \\d+\\), since \\d{4}-\\d\\d-\\d\\dT`,
          ),
        );
      }
      expect((await first.done).code).toBe(0);
      expect(smtp.messages.map((message) => message.envelope.to)).toEqual([[manager.email]]);

      // Released: the next one goes through.
      expect((await runCli(exportArgs('--operator', 'dave'), env(smtp))).code).toBe(0);
      expect(smtp.messages).toHaveLength(2);

      const entries = await history(smtp);
      const byOperator = Object.fromEntries(entries.map((entry) => [entry.operator, entry]));
      expect(byOperator.alice).toMatchObject({
        source: 'cli',
        status: 'sent',
        customer: site.domain,
        recipient: manager.email,
        delivery: 'attachment',
        active: 1,
        inactive: 41,
        queries: db.dialect === 'mariadb' ? 11 : 8,
        error: null,
      });
      expect(byOperator.alice.bytes).toBeGreaterThan(1000);
      for (const name of ['bob', 'carol'])
        expect(byOperator[name]).toMatchObject({ status: 'failed', errorCode: 'EXPORT_IN_PROGRESS' });
      expect(byOperator.dave).toMatchObject({ status: 'sent' });
    } finally {
      await smtp.stop();
    }
  });

  it('records a refused recipient with its reason, and the OS user when there is no --operator', async () => {
    const smtp = await SmtpCapture.start();
    try {
      const run = await runCli(
        ['export', 'user-activity', '-c', site.domain, '-e', nonManager.email],
        env(smtp),
      );
      expectOneLineError(run, 4, /not a manager.*has 1 active manager; "spotlight customers managers -c /);
      const [latest] = await history(smtp);
      expect(latest).toMatchObject({
        source: 'cli',
        status: 'failed',
        recipient: nonManager.email,
        errorCode: 'RECIPIENT_NOT_ALLOWED',
        operator: expect.stringMatching(/\S/),
      });
      expect(smtp.messages).toHaveLength(0);
    } finally {
      await smtp.stop();
    }
  });

  it('after kill -9 mid-export, the next start removes its scratch and the customer is not left locked', async () => {
    const smtp = await SmtpCapture.start({ fault: 'stall-data' });
    try {
      const killed = startCli(exportArgs(), env(smtp));
      await waitUntil(() => smtp.dataStarted > 0, 20_000, 'the export reaching DATA');
      expect(filesBelow(scratch).length).toBeGreaterThan(0); // the workbook, mid-send
      killed.child.kill('SIGKILL');
      await killed.done;
      expect(filesBelow(scratch).length).toBeGreaterThan(0);

      const good = await SmtpCapture.start();
      try {
        // Any command removes the scratch of processes that no longer run.
        expect((await runCli(['customers', 'list'], env(good))).code).toBe(0);
        expect(filesBelow(scratch)).toEqual([]);
        // The dead export's lock does not hold the customer (stale row on SQLite, closed connection on MariaDB).
        expect((await runCli(exportArgs(), env(good))).code).toBe(0);
        expect(good.messages).toHaveLength(1);
        expect(filesBelow(scratch)).toEqual([]);
      } finally {
        await good.stop();
      }
    } finally {
      await smtp.stop();
    }
  });

  it('gives up on an SMTP server that never answers the final "." within its bound: exit 9, never resent, recorded', async () => {
    const smtp = await SmtpCapture.start({ fault: 'stall-data' });
    try {
      const started = Date.now();
      const run = await runCli(
        exportArgs('--operator', 'stall'),
        env(smtp, { SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS: '1500' }),
      );
      expectOneLineError(
        run,
        9,
        /^Error: The mail server may have accepted the email \(Message-ID <spotlight-export\.[0-9a-f-]+@spotlight\.invalid>\) but its answer was lost \(.*time.*\); check .* before sending it again\.\n$/i,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(smtp.dataStarted).toBe(1);
      expect(filesBelow(scratch)).toEqual([]);
      const [latest] = await history(smtp);
      expect(latest).toMatchObject({
        operator: 'stall',
        status: 'unconfirmed',
        errorCode: 'DELIVERY_UNCONFIRMED',
        messageId: expect.stringMatching(/^<spotlight-export\./),
      });
    } finally {
      await smtp.stop();
    }
  });

  it.each([
    ['drops the connection after the final "."', { fault: 'drop-after-accept' as const }],
    ['answers 250 after the socket timeout', { answerDelayMs: 2_500 }],
  ])(
    'when the mail server %s: one email, exit 9 naming its Message-ID, unconfirmed; resent only by `exports resend`',
    async (_fault, fault) => {
      const smtp = await SmtpCapture.start({ ...fault, failFirst: 1 });
      try {
        const run = await runCli(
          exportArgs('--operator', 'lost-answer'),
          env(smtp, { SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS: '1000' }),
        );
        expectOneLineError(run, 9, /^Error: The mail server may have accepted the email \(Message-ID </);
        await smtp.waitFor(1);
        const messageId = smtp.messages[0].mail.messageId;
        expect(run.stderr).toContain(`(Message-ID ${messageId})`);
        const [unconfirmed] = await history(smtp);
        expect(unconfirmed).toMatchObject({
          operator: 'lost-answer',
          status: 'unconfirmed',
          errorCode: 'DELIVERY_UNCONFIRMED',
          messageId,
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(smtp.messages).toHaveLength(1);

        // Sending it again is an act of its own, recorded with who did it and what it resends.
        const resent = await runCli(
          ['exports', 'resend', String(unconfirmed.id), '--operator', 'checked', '--json'],
          env(smtp),
        );
        expect(resent.code).toBe(0);
        expect(parseJson<{ sent: boolean; recipient: string }>(resent)).toMatchObject({
          sent: true,
          recipient: manager.email,
        });
        await smtp.waitFor(2);
        expect(smtp.messages[1].envelope.to).toEqual([manager.email]);
        expect(smtp.messages[1].mail.messageId).not.toBe(messageId);
        const [again] = await history(smtp);
        expect(again).toMatchObject({ operator: 'checked', status: 'sent', resendOf: unconfirmed.id });

        // A sent export is not resent.
        const refused = await runCli(['exports', 'resend', String(again.id)], env(smtp));
        expectOneLineError(
          refused,
          2,
          /^Error: Export \d+ is sent; only a failed or unconfirmed export can be resent\.\n$/,
        );
        expect(smtp.messages).toHaveLength(2);
      } finally {
        await smtp.stop();
      }
    },
  );

  it('refuses an --out it cannot write before sending anything: exit 8, no email, no file', async () => {
    const smtp = await SmtpCapture.start();
    try {
      const file = path.join(dir, 'a-file');
      fs.writeFileSync(file, 'not a folder');
      const run = await runCli(exportArgs('--out', path.join(file, 'activity.xlsx')), env(smtp));
      expectOneLineError(
        run,
        8,
        /^Error: Cannot write the workbook to .*a-file\/activity\.xlsx: .*\(ENOTDIR|EEXIST\)/,
      );
      expect(smtp.messages).toHaveLength(0);
      expect(fs.readFileSync(file, 'utf8')).toBe('not a folder');
      expect(filesBelow(scratch)).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });

  rootOnly('refuses an --out on a read-only file system before sending: exit 8, no email', async () => {
    const smtp = await SmtpCapture.start();
    const readOnly = path.join(dir, 'read-only');
    const unmount = mountTmpfs(readOnly, 'ro,size=64k');
    try {
      const run = await runCli(exportArgs('--out', path.join(readOnly, 'activity.xlsx')), env(smtp));
      expectOneLineError(run, 8, /read-only \(EROFS\)/);
      expect(smtp.messages).toHaveLength(0);
      expect(filesBelow(readOnly)).toEqual([]);
    } finally {
      unmount();
      await smtp.stop();
    }
  });

  rootOnly('fails promptly on a full scratch disk: exit 8, one line, no email, nothing left', async () => {
    const smtp = await SmtpCapture.start();
    const full = path.join(dir, 'full');
    const unmount = mountTmpfs(full, 'size=12k');
    try {
      const started = Date.now();
      const run = await runCli(exportArgs(), env(smtp, { SPOTLIGHT_SCRATCH_DIR: full }));
      expectOneLineError(run, 8, /the disk is full \(ENOSPC\)/);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(smtp.messages).toHaveLength(0);
      expect(filesBelow(full)).toEqual([]);
    } finally {
      unmount();
      await smtp.stop();
    }
  });

  it('once the email is sent, a history that cannot be written is a warning and exit 0, never a second email', async () => {
    const smtp = await SmtpCapture.start();
    await db.knex.schema.renameTable('spotlight_export_run', 'spotlight_export_run_away');
    try {
      const out = path.join(dir, 'kept.xlsx');
      const run = await runCli(exportArgs('--out', out), env(smtp));
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(
        /^Warning: The email was sent, but the export could not be recorded in the history: /,
      );
      expect(run.stderr).not.toMatch(/select|insert into/i);
      expect(smtp.messages).toHaveLength(1);
      expect(fs.existsSync(out)).toBe(true);
    } finally {
      await db.knex.schema.renameTable('spotlight_export_run_away', 'spotlight_export_run');
      await smtp.stop();
    }
  });
});
