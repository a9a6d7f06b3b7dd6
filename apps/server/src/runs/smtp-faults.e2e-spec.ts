import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture, type SmtpCaptureOptions } from '@spotlight/testing';
import type { RunRecord } from '@spotlight/core';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';
import { WebhookReceiver } from '../__fixtures__/webhook-receiver';
import { ExportRunner } from './export-runner.service';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  run: RunRecord;
  /** Emails the mail server took responsibility for, whatever the sender heard. */
  arrived: SmtpCapture['messages'];
  /** Alerts posted to support's webhook about this run. */
  alerts: Array<{ event: string; errorCode: string | null }>;
}

/**
 * The promise at the edge we do not control: whatever the mail server does,
 * a run sends at most one email, and its record says what is known. Each row
 * is one fault of a real SMTP server, against the real server's runner.
 */
describeEachDatabase('a run against a misbehaving mail server', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  let staff: string;
  let hook: WebhookReceiver;
  let storage: string;

  beforeAll(async () => {
    ({ site, manager } = await siteWithActivity(db.factory, 3));
    staff = await createToken(db, { staff: true });
    hook = await WebhookReceiver.start();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-smtp-faults-'));
  });
  afterAll(async () => {
    await hook.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  });

  let dueDay = 0;
  /** Queues one export, drives the runner until the run ends (a bounded wait), and says what came of it. */
  async function exportThrough(
    fault: SmtpCaptureOptions,
    env: Record<string, string> = {},
  ): Promise<Outcome & { t: TestApp; smtp: SmtpCapture; close: () => Promise<void> }> {
    const smtp = await SmtpCapture.start(fault);
    const t = await startTestApp(db, smtp, {
      SPOTLIGHT_MAIL_MAX_ATTEMPTS: '3',
      SPOTLIGHT_MAIL_RETRY_BASE_MS: '10',
      SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS: '500',
      SPOTLIGHT_ALERT_WEBHOOK_URL: hook.url,
      ...env,
    });
    const close = async () => {
      await t.close();
      await smtp.stop();
    };
    try {
      dueDay += 1;
      const since = `2025-01-${String(dueDay).padStart(2, '0')}`;
      const queued = await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email, since })
        .expect(202);
      const id = queued.body.id as number;
      const runner = t.app.get(ExportRunner);
      const deadline = Date.now() + 20_000;
      let run: RunRecord | null = null;
      while (Date.now() < deadline) {
        run = (await runner.runNext()) ?? run;
        if (run && run.id === id && !['queued', 'running'].includes(run.status)) break;
        await sleep(20);
      }
      if (!run || ['queued', 'running'].includes(run.status))
        throw new Error(`Run ${id} did not end within 20 s: ${JSON.stringify(run)}`);
      // The capture keeps a message before it answers late or drops: what arrived is known
      // now; the short wait is for a second copy, which must never come.
      await sleep(300);
      const alerts = hook.bodies
        .map((entry) => (entry as { body: { runId: number; event: string; errorCode: string | null } }).body)
        .filter((body) => body.runId === id);
      return { run, arrived: [...smtp.messages], alerts, t, smtp, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  it.each<[string, SmtpCaptureOptions, { arrived: number; attempts: number }]>([
    [
      'the connection drops after the final "." once',
      { fault: 'drop-after-accept', failFirst: 1 },
      { arrived: 1, attempts: 1 },
    ],
    [
      'the connection drops after the final "." every time',
      { fault: 'drop-after-accept' },
      { arrived: 1, attempts: 1 },
    ],
    [
      'the 250 comes after the socket timeout',
      { answerDelayMs: 1_000, failFirst: 1 },
      { arrived: 1, attempts: 1 },
    ],
    ['the server reads the message and never answers', { fault: 'stall-data' }, { arrived: 0, attempts: 1 }],
    [
      'the server reads the message, then drops the connection',
      { fault: 'drop-data' },
      { arrived: 0, attempts: 1 },
    ],
  ])('%s: unconfirmed, never resent, support alerted', async (_fault, fault, expected) => {
    const outcome = await exportThrough(fault);
    try {
      expect(outcome.arrived).toHaveLength(expected.arrived);
      expect(outcome.run).toMatchObject({
        status: 'unconfirmed',
        attempts: expected.attempts,
        errorCode: 'DELIVERY_UNCONFIRMED',
        messageId: expect.stringMatching(new RegExp(`^<spotlight-export\\.run-${outcome.run.id}\\.\\d+@`)),
        error: expect.stringContaining(`may have accepted the email (Message-ID ${outcome.run.messageId})`),
      });
      if (expected.arrived) expect(outcome.arrived[0].mail.messageId).toBe(outcome.run.messageId);
      expect(outcome.alerts).toEqual([
        expect.objectContaining({ event: 'export.unconfirmed', errorCode: 'DELIVERY_UNCONFIRMED' }),
      ]);
      const shown = await request(outcome.t.http)
        .get(`/exports/${outcome.run.id}`)
        .set(bearer(staff))
        .expect(200);
      expect(shown.body).toMatchObject({ status: 'unconfirmed', messageId: outcome.run.messageId });
    } finally {
      await outcome.close();
    }
  });

  it.each<[string, SmtpCaptureOptions]>([
    ['451 at MAIL FROM', { refuse: { at: 'MAIL', code: 451 }, failFirst: 1 }],
    ['451 at RCPT TO', { refuse: { at: 'RCPT', code: 451 }, failFirst: 1 }],
    ['451 once the message arrived', { refuse: { at: 'DATA', code: 451 }, failFirst: 1 }],
    ['a connection dropped at RCPT TO', { fault: 'drop-rcpt', failFirst: 1 }],
  ])("%s, once: tried again, and one email arrives, with the run's Message-ID", async (_fault, fault) => {
    const outcome = await exportThrough(fault);
    try {
      expect(outcome.run).toMatchObject({ status: 'sent', attempts: 2, errorCode: null });
      expect(outcome.arrived).toHaveLength(1);
      expect(outcome.arrived[0].mail.messageId).toBe(outcome.run.messageId);
      expect(outcome.run.messageId).toMatch(new RegExp(`^<spotlight-export\\.run-${outcome.run.id}\\.\\d+@`));
      expect(outcome.alerts).toEqual([]);
    } finally {
      await outcome.close();
    }
  });

  it.each<[string, SmtpCaptureOptions, number]>([
    ['550 at MAIL FROM', { refuse: { at: 'MAIL', code: 550 } }, 1],
    ['550 at RCPT TO', { refuse: { at: 'RCPT', code: 550 } }, 1],
    ['554 once the message arrived', { refuse: { at: 'DATA', code: 554 } }, 1],
    ['451 at RCPT TO every time', { refuse: { at: 'RCPT', code: 451 } }, 3],
  ])('%s: failed, with nothing sent, and support alerted', async (_fault, fault, attempts) => {
    const outcome = await exportThrough(fault);
    try {
      expect(outcome.run).toMatchObject({ status: 'failed', attempts, errorCode: 'MAIL_FAILED' });
      expect(outcome.arrived).toHaveLength(0);
      expect(outcome.alerts).toEqual([
        expect.objectContaining({ event: 'export.failed', errorCode: 'MAIL_FAILED' }),
      ]);
    } finally {
      await outcome.close();
    }
  });

  it('a link that may have been mailed keeps working: one email, unconfirmed, its link answers', async () => {
    const outcome = await exportThrough(
      { fault: 'drop-after-accept' },
      {
        SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
        SPOTLIGHT_PUBLIC_URL: 'http://exports.spotlight.test',
        SPOTLIGHT_STORAGE_DIR: storage,
      },
    );
    try {
      expect(outcome.run).toMatchObject({ status: 'unconfirmed', attempts: 1, delivery: 'link' });
      expect(outcome.run.linkExpiresAt).toBeInstanceOf(Date);
      expect(outcome.arrived).toHaveLength(1);
      const link = /http:\/\/exports\.spotlight\.test(\/downloads\/\S+)/.exec(
        outcome.arrived[0].mail.text ?? '',
      );
      expect(link).not.toBeNull();
      const download = await request(outcome.t.http).get(link![1]).expect(200);
      expect(download.headers['content-type']).toContain('spreadsheetml');
    } finally {
      await outcome.close();
    }
  });

  it('resends an unconfirmed export only when asked, as a new audited export naming it', async () => {
    const outcome = await exportThrough({ fault: 'drop-after-accept', failFirst: 1 });
    try {
      const { run, t, smtp } = outcome;
      expect(run.status).toBe('unconfirmed');
      const resent = await request(t.http).post(`/exports/${run.id}/resend`).set(bearer(staff)).expect(202);
      expect(resent.headers.location).toBe(`/exports/${resent.body.id}`);
      expect(resent.body).toMatchObject({ status: 'queued', existing: false });
      expect(resent.body.id).not.toBe(run.id);
      const second = await t.app.get(ExportRunner).runNext();
      expect(second).toMatchObject({ id: resent.body.id, status: 'sent', resendOf: run.id });
      await smtp.waitFor(2);
      expect(smtp.messages[1].mail.messageId).toBe(second!.messageId);
      expect(second!.messageId).not.toBe(run.messageId);
      const audit = await db.knex('spotlight_export_audit').where({ target: `run:${resent.body.id}` });
      expect(audit.map((row: { action: string }) => row.action)).toEqual(['export.resend']);
      expect(JSON.parse(audit[0].detail)).toMatchObject({ resendOf: run.id });
      // A sent export is not resent; nor is one that does not exist.
      const refused = await request(t.http)
        .post(`/exports/${resent.body.id}/resend`)
        .set(bearer(staff))
        .expect(409);
      expect(refused.body).toMatchObject({ error: 'EXPORT_NOT_RESENDABLE' });
      await request(t.http).post('/exports/999999/resend').set(bearer(staff)).expect(404);
      // Another customer's site token sees no such export.
      const other = await db.factory.site();
      const otherToken = await createToken(db, { site: other.domain });
      const hidden = await request(t.http)
        .post(`/exports/${run.id}/resend`)
        .set(bearer(otherToken))
        .expect(404);
      expect(hidden.body.message).toBe(`No export has the id ${run.id}.`);
      expect(smtp.messages).toHaveLength(2);
    } finally {
      await outcome.close();
    }
  });
});
