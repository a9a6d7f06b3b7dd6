import request from 'supertest';
import { ExportLockRepository } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';

/**
 * A run that meets its customer's lock waits without spending an attempt,
 * but not forever: an export that never ends (a CLI stopped with Ctrl-Z)
 * fails the run CUSTOMER_BUSY once the bound has passed since it became
 * due, support is told, and the queue's age shows the wait meanwhile.
 */

const SUPPORT = 'support@lock-wait.test';
/** 3 seconds. */
const MAX_WAIT_MINUTES = 0.05;
const MAX_WAIT_MS = MAX_WAIT_MINUTES * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The samples of a Prometheus text exposition, by name. */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) values.set(match[1], Number(match[2]));
  }
  return values;
}

describeEachDatabase('a run waiting for its customer’s lock', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    staff = await createToken(db, { staff: true });
    ({ site, manager } = await siteWithActivity(db.factory, 3));
    // The worker runs on its own, as in production.
    t = await startTestApp(db, smtp, {
      SPOTLIGHT_BACKGROUND: 'on',
      SPOTLIGHT_WORKER_POLL_MS: '100',
      SPOTLIGHT_LOCK_WAIT_MAX_MINUTES: String(MAX_WAIT_MINUTES),
      SPOTLIGHT_ALERT_EMAIL: SUPPORT,
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  const runOf = async (id: number) =>
    (await request(t.http).get(`/exports/${id}`).set(bearer(staff)).expect(200)).body as {
      status: string;
      error: string | null;
      errorCode: string | null;
      attempts: number;
      timings: { queuedAt: string; finishedAt: string | null };
    };
  const scrape = async () => samples((await request(t.http).get('/metrics').expect(200)).text);

  it('fails CUSTOMER_BUSY naming the holder once the bound has passed, alerts support, and shows its age meanwhile', async () => {
    // Another process's export of the customer, which never ends: a CLI stopped with Ctrl-Z.
    const held = await new ExportLockRepository(db.knex, {
      host: 'laptop-7',
      pid: process.pid,
      isRunning: () => true,
    }).acquire(site.domain, 'cli: mallory', new Date());

    try {
      const queued = await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email })
        .expect(202);
      const id = queued.body.id as number;
      const createdAt = Date.parse((await runOf(id)).timings.queuedAt);

      // Waiting: deferred at least once, so its next try is in the future.
      const waitingBound = Date.now() + MAX_WAIT_MS;
      let waiting = await runOf(id);
      while (!waiting.error?.startsWith('Waiting')) {
        if (Date.now() > waitingBound)
          throw new Error(`run ${id} never waited for the lock: ${JSON.stringify(waiting)}`);
        await sleep(50);
        waiting = await runOf(id);
      }
      await sleep(1_000);
      const scrapedAt = Date.now();
      const meanwhile = await scrape();
      expect(meanwhile.get('spotlight_queue_depth')).toBe(1);
      // Counted from when it became due, not from its next try.
      expect(meanwhile.get('spotlight_queue_oldest_age_seconds')).toBeGreaterThanOrEqual(
        (scrapedAt - createdAt) / 1000 - 0.5,
      );
      expect(meanwhile.get('spotlight_queue_oldest_age_seconds')).toBeGreaterThan(0.5);

      const failedBound = Date.now() + MAX_WAIT_MS + 10_000;
      let run = await runOf(id);
      while (run.status !== 'failed') {
        if (Date.now() > failedBound) throw new Error(`run ${id} still waits: ${JSON.stringify(run)}`);
        await sleep(100);
        run = await runOf(id);
      }
      expect(run.errorCode).toBe('CUSTOMER_BUSY');
      expect(run.error).toMatch(
        new RegExp(
          `^Gave up after waiting 0\\.05 minutes for another export of ${site.domain.replace(/\./g, '\\.')} to finish \\(cli: mallory, on laptop-7 \\(pid ${process.pid}\\), since [0-9T:.-]+Z\\); end that export, then queue this one again\\.$`,
        ),
      );
      const waited = Date.parse(run.timings.finishedAt!) - createdAt;
      expect(waited).toBeGreaterThanOrEqual(MAX_WAIT_MS);
      expect(waited).toBeLessThan(MAX_WAIT_MS + 3_000);

      const [alert] = await smtp.waitFor(1);
      expect(alert.envelope.to).toEqual([SUPPORT]);
      expect(alert.mail.subject).toBe(`Export failed: ${site.domain} (run ${id})`);
      expect(alert.mail.text).toContain('CUSTOMER_BUSY');
      expect(alert.mail.text).toContain('cli: mallory');
      await sleep(300);
      // The manager got nothing: the one message is support's.
      expect(smtp.messages).toHaveLength(1);

      const after = await scrape();
      expect(after.get('spotlight_queue_depth')).toBe(0);
      expect(after.get('spotlight_queue_oldest_age_seconds')).toBe(0);
      expect(after.get('spotlight_runs_finished_total{outcome="failed",source="api"}')).toBe(1);
    } finally {
      // The harness's pool waits for the connection the lock keeps on MySQL/MariaDB.
      await held.release();
    }
  });
});
