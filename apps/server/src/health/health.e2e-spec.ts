import request from 'supertest';
import { SchedulerRegistry } from '@nestjs/schedule';
import { describeEachDatabase } from '@spotlight/core/testing';
import { TcpProxy } from '@spotlight/testing';
import { startTestApp } from '../__fixtures__/test-app';

const PROBE_TIMEOUT_MS = 500;
/** Readiness answers within its probe timeout plus this much. */
const SLACK_MS = 1_000;

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

describeEachDatabase('health: liveness and readiness', (db) => {
  it('answers live, ready and /health (the same as ready) while all is well', async () => {
    const t = await startTestApp(db, null);
    try {
      expect((await request(t.http).get('/health/live').expect(200)).body).toEqual({
        status: 'ok',
        instance: 'test-instance',
      });
      const ready = await request(t.http).get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        database: { primary: 'ok' },
        scheduler: 'off',
        background: false,
      });
      const health = await request(t.http).get('/health').expect(200);
      expect(health.body).toEqual(ready.body);
    } finally {
      await t.close();
    }
  });

  it('is not ready, within its timeout, while the database does not answer; live meanwhile', async () => {
    const env = { SPOTLIGHT_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS) };
    if (db.dialect === 'mariadb') {
      // A database that hangs: the relay stops forwarding without closing anything.
      const url = new URL(db.url);
      const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 3306) });
      const t = await startTestApp({ ...db, url: proxy.mysqlUrl(db.url) }, null, env);
      try {
        await request(t.http).get('/health/ready').expect(200);
        proxy.stall();
        const ready = await timed(() => request(t.http).get('/health/ready').expect(503));
        expect(ready.ms).toBeLessThan(PROBE_TIMEOUT_MS + SLACK_MS);
        expect(ready.result.body).toMatchObject({
          status: 'degraded',
          database: {
            primary: `unreachable: the primary database did not answer within ${PROBE_TIMEOUT_MS} ms`,
          },
        });
        const live = await timed(() => request(t.http).get('/health/live').expect(200));
        expect(live.ms).toBeLessThan(SLACK_MS);
        await request(t.http).get('/health').expect(503);
        // A scrape does not hang either: the queue's numbers are unknown.
        const scrape = await timed(() => request(t.http).get('/metrics').expect(200));
        expect(scrape.ms).toBeLessThan(PROBE_TIMEOUT_MS + SLACK_MS);
        expect(scrape.result.text).toMatch(/^spotlight_queue_depth nan$/im);

        // Cut for good: refused at once.
        proxy.cut();
        proxy.refuseNew();
        proxy.resume();
        const refused = await request(t.http).get('/health/ready').expect(503);
        expect(refused.body.database.primary).toMatch(/^unreachable: /);
        proxy.refuseNew(false);
        await request(t.http).get('/health/ready').expect(200);
      } finally {
        proxy.resume();
        await t.close();
        await proxy.stop();
      }
    } else {
      // SQLite has one connection: a transaction that keeps it leaves none for the probe.
      const t = await startTestApp(db, null, env);
      const trx = await t.knex.transaction();
      try {
        const ready = await timed(() => request(t.http).get('/health/ready').expect(503));
        expect(ready.ms).toBeLessThan(PROBE_TIMEOUT_MS + SLACK_MS);
        expect(ready.result.body.database.primary).toBe(
          `unreachable: the primary database did not answer within ${PROBE_TIMEOUT_MS} ms`,
        );
        const live = await timed(() => request(t.http).get('/health/live').expect(200));
        expect(live.ms).toBeLessThan(SLACK_MS);
      } finally {
        await trx.rollback();
      }
      try {
        await request(t.http).get('/health/ready').expect(200);
      } finally {
        await t.close();
      }
    }
  }, 30_000);

  it('is not ready when the scheduler stops ticking', async () => {
    const t = await startTestApp(db, null, {
      SPOTLIGHT_BACKGROUND: 'on',
      SPOTLIGHT_SCHEDULER_TICK_MS: '200',
      SPOTLIGHT_SCHEDULER_STALE_MS: '600',
      SPOTLIGHT_WORKER_POLL_MS: '60000',
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ticking = await request(t.http).get('/health/ready').expect(200);
      expect(ticking.body).toMatchObject({ scheduler: 'ok', background: true });
      // As if the scheduler were stuck: it no longer ticks, the process still answers.
      t.app.get(SchedulerRegistry).deleteInterval('export-scheduler');
      await new Promise((resolve) => setTimeout(resolve, 3 * 200 + 400));
      const stuck = await request(t.http).get('/health/ready').expect(503);
      expect(stuck.body).toMatchObject({ status: 'degraded', database: { primary: 'ok' } });
      expect(stuck.body.scheduler).toMatch(/^stale: last tick \d+ s ago, at \d{4}-/);
      await request(t.http).get('/health/live').expect(200);
    } finally {
      await t.close();
    }
  });
});
