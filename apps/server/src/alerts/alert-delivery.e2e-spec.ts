import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { startServer, type ServerProcess } from '../__fixtures__/server-process';
import { bearer, createToken, startTestApp } from '../__fixtures__/test-app';
import { AlertRetryJob } from '../jobs/alert-retry.job';
import { ExportRunner } from '../runs/export-runner.service';

const SUPPORT = 'support@alerts.test';

type LogLine = Record<string, unknown> & { level?: string; msg?: string; context?: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value, for at most `timeoutMs`. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function logLines(server: ServerProcess): LogLine[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

const WARNING = /failure alerts can only reach .* through .*, the SMTP server of the exports/;

describeEachDatabase('failure alerts when mail is the problem', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  let staff: string;

  beforeAll(async () => {
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
    staff = await createToken(db, { staff: true });
  });

  const auditOf = (target: string) =>
    db.knex('spotlight_export_audit').where({ target }).orderBy('id').select('action', 'detail');
  const pendingOf = (runId: number) => db.knex('spotlight_export_pending_alert').where({ run_id: runId });

  it('sends the alert through SPOTLIGHT_ALERT_SMTP_URL when the exports SMTP server refuses everything', async () => {
    const exportsSmtp = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
    const alertSmtp = await SmtpCapture.start();
    const t = await startTestApp(db, exportsSmtp, {
      SPOTLIGHT_ALERT_EMAIL: SUPPORT,
      SPOTLIGHT_ALERT_SMTP_URL: alertSmtp.url,
      SPOTLIGHT_MAIL_MAX_ATTEMPTS: '1',
    });
    try {
      const queued = await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email, since: '2026-04-01' })
        .expect(202);
      const run = await t.app.get(ExportRunner).runNext();
      expect(run).toMatchObject({ id: queued.body.id, status: 'failed', errorCode: 'MAIL_FAILED' });

      const [notice] = await alertSmtp.waitFor(1);
      expect(notice.envelope.to).toEqual([SUPPORT]);
      expect(notice.mail.subject).toBe(`Export failed: ${site.domain} (run ${run!.id})`);
      expect(notice.mail.text).toContain('Mailbox unavailable');
      // The exports' server saw the export only, and the manager got nothing.
      expect(exportsSmtp.dataStarted).toBe(1);
      expect(alertSmtp.messages.flatMap((m) => m.envelope.to)).not.toContain(manager.email);
      const audit = await auditOf(`run:${run!.id}`);
      expect(audit.map((row) => row.action)).toEqual(['export.queue', 'alert.sent']);
      expect(await pendingOf(run!.id)).toEqual([]);
    } finally {
      await t.close();
      await alertSmtp.stop();
      await exportsSmtp.stop();
    }
  });

  it('retries an alert the alert SMTP server refused, with backoff, until it recovers; each failure is counted', async () => {
    const exportsSmtp = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
    const alertSmtp = await SmtpCapture.start({ rejectWith: 'Try again later', failFirst: 3 });
    const t = await startTestApp(db, exportsSmtp, {
      SPOTLIGHT_ALERT_EMAIL: SUPPORT,
      SPOTLIGHT_ALERT_SMTP_URL: alertSmtp.url,
      SPOTLIGHT_ALERT_RETRY_BASE_MS: '100',
      SPOTLIGHT_MAIL_MAX_ATTEMPTS: '1',
    });
    try {
      await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email, since: '2026-05-01' })
        .expect(202);
      const run = (await t.app.get(ExportRunner).runNext())!;
      expect(run).toMatchObject({ status: 'failed', errorCode: 'MAIL_FAILED' });
      expect(alertSmtp.dataStarted).toBe(1);
      const [kept] = await pendingOf(run.id);
      expect(kept).toMatchObject({ channel: 'email', target: SUPPORT, attempts: 1 });
      const waitMs = new Date(kept.next_attempt_at).getTime() - new Date(kept.created_at).getTime();
      expect(waitMs).toBeGreaterThanOrEqual(100);

      // Not due yet: nothing is tried before the backoff.
      const job = t.app.get(AlertRetryJob);
      expect(await job.retry()).toBe(0);
      expect(alertSmtp.dataStarted).toBe(1);

      const started = Date.now();
      await eventually('the alert getting through', async () => ((await job.retry()) > 0 ? true : undefined));
      // Waits of 100, 200 and 400 ms between the four attempts.
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(alertSmtp.dataStarted).toBe(4);
      const [notice] = await alertSmtp.waitFor(1);
      expect(notice.envelope.to).toEqual([SUPPORT]);
      expect(notice.mail.subject).toBe(`Export failed: ${site.domain} (run ${run.id})`);
      expect(await pendingOf(run.id)).toEqual([]);
      expect(await job.retry()).toBe(0);
      expect(alertSmtp.messages).toHaveLength(1);

      const metrics = await request(t.http).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^spotlight_alerts_failed_total\{channel="email"\} 3$/m);
      expect(metrics.text).toMatch(/^spotlight_alerts_failed_total\{channel="webhook"\} 0$/m);
      const audit = await auditOf(`run:${run.id}`);
      expect(audit.map((row) => row.action)).toEqual(['export.queue', 'alert.failed', 'alert.sent']);
      expect(JSON.parse(audit[2].detail)).toEqual({ sent: [`email:${SUPPORT}`], attempts: 4 });
    } finally {
      await t.close();
      await alertSmtp.stop();
      await exportsSmtp.stop();
    }
  });

  it('gives an alert up, loudly, once its 24 hours are over', async () => {
    const smtp = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
    const t = await startTestApp(db, smtp, {
      SPOTLIGHT_ALERT_EMAIL: SUPPORT,
      SPOTLIGHT_ALERT_RETRY_BASE_MS: '10',
      SPOTLIGHT_MAIL_MAX_ATTEMPTS: '1',
    });
    try {
      await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email, since: '2026-07-01' })
        .expect(202);
      const run = (await t.app.get(ExportRunner).runNext())!;
      const [kept] = await pendingOf(run.id);
      expect(new Date(kept.give_up_at).getTime() - new Date(kept.created_at).getTime()).toBe(86_400_000);
      // As if the day had passed: the next failure is the last.
      await pendingOf(run.id).update({ give_up_at: new Date(Date.now() - 1), next_attempt_at: new Date(0) });
      expect(await t.app.get(AlertRetryJob).retry()).toBe(0);
      expect(await pendingOf(run.id)).toEqual([]);
      const audit = await auditOf(`run:${run.id}`);
      expect(audit.map((row) => row.action)).toEqual(['export.queue', 'alert.failed', 'alert.failed']);
      expect(JSON.parse(audit[2].detail)).toEqual({
        channel: `email:${SUPPORT}`,
        error: expect.stringContaining('Mailbox unavailable'),
        attempts: 2,
        final: true,
      });
      const metrics = await request(t.http).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^spotlight_alerts_failed_total\{channel="email"\} 2$/m);
    } finally {
      await t.close();
      await smtp.stop();
    }
  });

  it('keeps an undelivered alert across a restart, logs each failure at error level, and another instance delivers it', async () => {
    const exportsSmtp = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
    const alertSmtp = await SmtpCapture.start();
    const env = {
      DATABASE_URL: db.url,
      SMTP_URL: exportsSmtp.url,
      SPOTLIGHT_ALERT_EMAIL: SUPPORT,
      SPOTLIGHT_ALERT_RETRY_BASE_MS: '200',
      SPOTLIGHT_ALERT_TIMEOUT_MS: '2000',
      SPOTLIGHT_MAIL_MAX_ATTEMPTS: '1',
      SPOTLIGHT_WORKER_POLL_MS: '100',
      SPOTLIGHT_SCHEDULER_TICK_MS: '60000',
    };
    // Alerts go through the exports' server only: the server says so at start.
    const first = await startServer({ ...env, SPOTLIGHT_INSTANCE_ID: 'first' });
    let second: ServerProcess | null = null;
    try {
      const warnings = logLines(first).filter((line) => WARNING.test(line.msg ?? ''));
      expect(warnings).toEqual([expect.objectContaining({ level: 'warn' })]);

      const queued = await fetch(`${first.url}/exports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${staff}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ customer: site.domain, recipient: manager.email, since: '2026-06-01' }),
      });
      expect(queued.status).toBe(202);
      const runId = ((await queued.json()) as { id: number }).id;
      const failure = await eventually('an error line about the alert', async () =>
        logLines(first).find((line) => line.level === 'error' && line.msg?.includes(`email:${SUPPORT}`)),
      );
      expect(failure.msg).toContain(`could not alert email:${SUPPORT} about failed export ${runId}`);
      expect(failure.msg).toContain('Mailbox unavailable');
      const metrics = await (await fetch(`${first.url}/metrics`)).text();
      expect(metrics).toMatch(/^spotlight_alerts_failed_total\{channel="email"\} [1-9]\d*$/m);
      expect(await first.stop()).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await pendingOf(runId)).toHaveLength(1);

      second = await startServer({
        ...env,
        SPOTLIGHT_INSTANCE_ID: 'second',
        SPOTLIGHT_ALERT_SMTP_URL: alertSmtp.url,
      });
      expect(logLines(second).filter((line) => WARNING.test(line.msg ?? ''))).toEqual([]);
      const [notice] = await alertSmtp.waitFor(1, 20_000);
      expect(notice.envelope.to).toEqual([SUPPORT]);
      expect(notice.mail.subject).toBe(`Export failed: ${site.domain} (run ${runId})`);
      const audit = await eventually('alert.sent in the audit trail', async () => {
        const rows = await auditOf(`run:${runId}`);
        return rows.some((row) => row.action === 'alert.sent') ? rows : undefined;
      });
      expect(audit.map((row) => row.action)).toEqual(['export.queue', 'alert.failed', 'alert.sent']);
      expect(await pendingOf(runId)).toEqual([]);
      expect(alertSmtp.messages).toHaveLength(1);
    } finally {
      await first.stop();
      await second?.stop();
      await alertSmtp.stop();
      await exportsSmtp.stop();
    }
  }, 60_000);
});
