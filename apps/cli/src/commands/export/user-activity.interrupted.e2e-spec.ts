import fs from 'node:fs';
import path from 'node:path';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import {
  expectSuccess,
  filesBelow,
  parseJson,
  runCli,
  startCli,
  tempDir,
  waitUntil,
} from '../../__fixtures__/run-cli';
import { startStalledSmtp, within } from '../../__fixtures__/stalled-smtp';
import type { ExportHistoryEntry, ExportsListResult } from '../exports/list';

const SIGNALS = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const;

// An interrupted export ends within this, its history written: it does not wait for a silent server.
const PROMPT_EXIT_MS = 10_000;

describeEachDatabase('spotlight export user-activity, interrupted by Ctrl-C or SIGTERM', (db) => {
  let dir: string;
  let site: SiteRow;
  let manager: UserRow;
  let smtp: SmtpCapture;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir();
    smtp = await SmtpCapture.start();
    site = await db.factory.site({ name: 'Interrupted' });
    manager = await db.factory.manager({ site });
    await db.factory.idea({ site, creator: manager });
    env = { DATABASE_URL: db.url, SMTP_URL: smtp.url };
  });

  afterAll(async () => {
    await smtp?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const exportArgs = (operator: string) => [
    'export',
    'user-activity',
    '-c',
    site.domain,
    '-e',
    manager.email,
    '--operator',
    operator,
  ];

  async function latestExport(): Promise<ExportHistoryEntry> {
    const run = await runCli(['exports', 'list', '-c', site.domain, '--limit', '1', '--json'], env);
    expectSuccess(run);
    return parseJson<ExportsListResult>(run).exports[0]!;
  }

  /** The next export of the same customer and recipient goes: the interrupted one left no lock behind. */
  async function expectNextExportSent(): Promise<void> {
    smtp.clear();
    const next = await runCli(exportArgs('next'), env);
    expectSuccess(next);
    expect((await smtp.waitFor(1)).map((sent) => sent.envelope.to)).toEqual([[manager.email]]);
  }

  it.each(SIGNALS)(
    '%s before the message is handed over: exit %i at once, one line, nothing sent, recorded as failed (INTERRUPTED)',
    async (signal, exitCode) => {
      const stalled = await startStalledSmtp();
      const scratch = path.join(dir, `scratch-before-${signal}`);
      const operator = `support before ${signal}`;
      try {
        const { child, done } = startCli(exportArgs(operator), {
          ...env,
          SMTP_URL: stalled.url,
          SPOTLIGHT_SCRATCH_DIR: scratch,
        });
        // The workbook is built and the email is on its way: the export is in the middle of its work.
        await within(stalled.connected, 30_000, 'the connection to the SMTP server');
        const interruptedAt = Date.now();
        child.kill(signal);
        const run = await within(done, PROMPT_EXIT_MS, `the export ending after ${signal}`);
        expect(Date.now() - interruptedAt).toBeLessThan(PROMPT_EXIT_MS);

        const entry = await latestExport();
        expect(run).toEqual({
          code: exitCode,
          stdout: '',
          stderr: `Error: Interrupted by ${signal} before the email was sent: nothing was sent, and the history records it as export ${entry.id}, failed (INTERRUPTED); run it again to send it.\n`,
        });
        expect(filesBelow(scratch)).toEqual([]);
        expect(entry).toMatchObject({
          source: 'cli',
          operator,
          customer: site.domain,
          recipient: manager.email,
          status: 'failed',
          errorCode: 'INTERRUPTED',
          messageId: null,
        });
      } finally {
        await stalled.stop();
      }
      await expectNextExportSent();
    },
    60_000,
  );

  it.each(SIGNALS)(
    '%s once the whole message, its final ".", is with the mail server: exit %i, recorded as unconfirmed, never sent again',
    async (signal, exitCode) => {
      // Reads the whole message and never answers: it may or may not deliver it.
      const silent = await SmtpCapture.start({ fault: 'stall-data' });
      const scratch = path.join(dir, `scratch-after-${signal}`);
      const operator = `support after ${signal}`;
      try {
        const { child, done } = startCli(exportArgs(operator), {
          ...env,
          SMTP_URL: silent.url,
          SPOTLIGHT_SCRATCH_DIR: scratch,
        });
        await waitUntil(() => silent.dataEnded > 0, 30_000, 'the whole message reaching the mail server');
        child.kill(signal);
        const run = await within(done, PROMPT_EXIT_MS, `the export ending after ${signal}`);

        expect({ code: run.code, stdout: run.stdout }).toEqual({ code: exitCode, stdout: '' });
        const entry = await latestExport();
        expect(entry).toMatchObject({
          source: 'cli',
          operator,
          recipient: manager.email,
          status: 'unconfirmed',
          errorCode: 'DELIVERY_UNCONFIRMED',
          messageId: expect.stringMatching(/^<spotlight-export\..+>$/),
        });
        expect(run.stderr).toBe(
          `Error: Interrupted by ${signal} after the whole email was handed to the mail server: it may have arrived (Message-ID ${entry.messageId}), and the history records it as export ${entry.id}, unconfirmed; check the recipient's mailbox before resending it with "spotlight exports resend ${entry.id}".\n`,
        );
        expect(filesBelow(scratch)).toEqual([]);
        // Nothing sends it again by itself.
        expect(silent.transactions).toBe(1);
      } finally {
        await silent.stop();
      }
      await expectNextExportSent();
    },
    60_000,
  );
});
