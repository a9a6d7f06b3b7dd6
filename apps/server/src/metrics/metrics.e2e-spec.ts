import request from 'supertest';
import { RunRepository } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture, TcpProxy } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';
import { SchedulerJob } from '../jobs/scheduler.job';
import { ExportRunner } from '../runs/export-runner.service';

/** The samples of a Prometheus text exposition, by name and labels as written: `name{a="b"}`. */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    // Label values are quoted and may hold braces: a route pattern like /{*path}.
    const match = /^([a-zA-Z_:][\w:]*(?:\{(?:[^}"]|"(?:[^"\\]|\\.)*")*\})?) (\S+)$/.exec(line);
    if (match) values.set(match[1], Number(match[2]));
  }
  return values;
}

/** The label sets of the samples called `name`, with their values. */
function series(
  values: Map<string, number>,
  name: string,
): { labels: Record<string, string>; value: number }[] {
  return [...values]
    .filter(([key]) => key.startsWith(`${name}{`))
    .map(([key, value]) => ({
      labels: Object.fromEntries([...key.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]])),
      value,
    }));
}

describeEachDatabase('GET /metrics', (db) => {
  let smtp: SmtpCapture;
  let relay: TcpProxy;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    // Mail goes through a relay the test cuts, to make deliveries fail on purpose.
    relay = await TcpProxy.start({ port: Number(new URL(smtp.url).port) });
    staff = await createToken(db, { staff: true });
    ({ site, manager } = await siteWithActivity(db.factory, 3));
    t = await startTestApp(
      db,
      { url: `smtp://127.0.0.1:${relay.port}` },
      { SPOTLIGHT_MAIL_MAX_ATTEMPTS: '1' },
    );
  });
  afterAll(async () => {
    await t.close();
    await relay.stop();
    await smtp.stop();
  });

  const scrape = async () => {
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return samples(res.text);
  };
  const queue = (since: string) =>
    request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email, since })
      .expect(202);

  it('counts a sent and a failed run, their duration, size and SMTP failure, and reads the queue from the database', async () => {
    const before = await scrape();
    expect(before.get('spotlight_queue_depth')).toBe(0);
    expect(before.get('spotlight_queue_oldest_age_seconds')).toBe(0);
    expect(before.get('spotlight_smtp_failures_total')).toBe(0);
    expect(before.get('spotlight_export_duration_seconds_count')).toBe(0);

    const sent = await queue('2026-01-01');
    expect((await scrape()).get('spotlight_queue_depth')).toBe(1);
    expect(await t.app.get(ExportRunner).runNext()).toMatchObject({ id: sent.body.id, status: 'sent' });

    relay.cut();
    relay.refuseNew();
    const failed = await queue('2026-02-01');
    expect(await t.app.get(ExportRunner).runNext()).toMatchObject({ id: failed.body.id, status: 'failed' });
    relay.refuseNew(false);

    const row = await db.knex('spotlight_export_run').where({ id: sent.body.id }).first();
    const after = await scrape();
    expect(after.get('spotlight_runs_finished_total{outcome="sent",source="api"}')).toBe(1);
    expect(after.get('spotlight_runs_finished_total{outcome="failed",source="api"}')).toBe(1);
    expect(after.get('spotlight_runs_finished_total{outcome="sent",source="schedule"}')).toBe(0);
    expect(after.get('spotlight_smtp_failures_total')).toBe(1);
    expect(after.get('spotlight_export_duration_seconds_count')).toBe(1);
    expect(after.get('spotlight_export_duration_seconds_sum')).toBeCloseTo(Number(row.duration_ms) / 1000, 6);
    expect(after.get('spotlight_export_size_bytes_count')).toBe(1);
    expect(after.get('spotlight_export_size_bytes_sum')).toBe(Number(row.bytes));
    expect(Number(row.bytes)).toBeGreaterThan(1000);
    for (const le of [16_000, 64_000, 256_000, 1_000_000, 20_000_000])
      expect(after.get(`spotlight_export_size_bytes_bucket{le="${le}"}`)).toBe(
        Number(row.bytes) <= le ? 1 : 0,
      );
    expect(after.get('spotlight_export_size_bytes_bucket{le="+Inf"}')).toBe(1);
    expect(after.get('spotlight_queue_depth')).toBe(0);
    expect(after.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('has every run counter at 0 before the first run, and says which build it is', async () => {
    const fresh = await startTestApp(db, null);
    try {
      const values = samples((await request(fresh.http).get('/metrics').expect(200)).text);
      const counters = series(values, 'spotlight_runs_finished_total');
      expect(counters.map(({ labels }) => `${labels.outcome}/${labels.source}`).sort()).toEqual([
        'failed/api',
        'failed/schedule',
        'sent/api',
        'sent/schedule',
        'unconfirmed/api',
        'unconfirmed/schedule',
      ]);
      for (const { value } of counters) expect(value).toBe(0);
      expect(series(values, 'spotlight_build_info')).toEqual([
        {
          labels: {
            version: expect.stringMatching(/^\d+\.\d+\.\d+/),
            commit: expect.any(String),
            node: process.version,
          },
          value: 1,
        },
      ]);
    } finally {
      await fresh.close();
    }
  });

  it('times HTTP requests by method, route pattern and status, never by URL', async () => {
    const sent = await queue('2026-03-01');
    await request(t.http).get(`/exports/${sent.body.id}`).set(bearer(staff)).expect(200);
    const downloadToken = 'dl_this-token-must-not-become-a-label';
    await request(t.http).get(`/downloads/${downloadToken}`).expect(404);
    await request(t.http).get('/no/such/route/zq4711').set(bearer(staff)).expect(404);
    await request(t.http).get('/exports/not-a-number').set(bearer(staff)).expect(400);
    const text = (await request(t.http).get('/metrics').expect(200)).text;
    const counts = series(samples(text), 'http_request_duration_seconds_count');
    const count = (labels: Record<string, string>) =>
      counts.find((sample) => JSON.stringify(sample.labels) === JSON.stringify(labels))?.value;
    expect(count({ method: 'POST', route: '/exports', status: '202' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: '/exports/:id', status: '200' })).toBe(1);
    expect(count({ method: 'GET', route: '/exports/:id', status: '400' })).toBe(1);
    expect(count({ method: 'GET', route: '/downloads/:token', status: '404' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain(downloadToken);
    expect(text).not.toContain('zq4711');
    expect(text).not.toContain(`/exports/${sent.body.id}`);
    for (const { labels } of counts)
      expect(Object.keys(labels).sort()).toEqual(['method', 'route', 'status']);
    await db.knex('spotlight_export_run').where({ id: sent.body.id }).delete();
  });

  it('reports how long the longest-waiting due run has waited, and counts runs waiting for a retry in the depth', async () => {
    const runs = new RunRepository(t.knex);
    const waiting = await runs.insertQueued(
      {
        customer: site.domain,
        recipient: manager.email,
        since: null,
        until: null,
        source: 'api',
        tokenId: null,
      },
      new Date(Date.now() - 90_000),
    );
    const later = await runs.insertQueued(
      {
        customer: site.domain,
        recipient: manager.email,
        since: null,
        until: null,
        source: 'schedule',
        tokenId: null,
        scheduleId: 999_999,
        dueAt: new Date(),
      },
      new Date(Date.now() + 3_600_000),
    );
    try {
      const values = await scrape();
      expect(values.get('spotlight_queue_depth')).toBe(2);
      const age = values.get('spotlight_queue_oldest_age_seconds')!;
      expect(age).toBeGreaterThanOrEqual(90);
      expect(age).toBeLessThan(120);
    } finally {
      await db.knex('spotlight_export_run').whereIn('id', [waiting!.id, later!.id]).delete();
    }
  });

  it('measures the scheduler lag from a due time to its queued run', async () => {
    const created = await request(t.http)
      .post('/schedules')
      .set(bearer(staff))
      .send({
        customer: site.domain,
        recipient: manager.email,
        cron: '15 6 * * *',
        timeZone: 'UTC',
        windowDays: 7,
      })
      .expect(201);
    await db
      .knex('spotlight_export_schedule')
      .where({ id: created.body.id })
      .update({ next_due_at: new Date(Date.now() - 3 * 86_400_000) });
    const before = Date.now() / 1000;
    expect(await t.app.get(SchedulerJob).tick()).toBe(1);
    const run = await db.knex('spotlight_export_run').where({ schedule_id: created.body.id }).first();
    const values = await scrape();
    const lag = (new Date(run.created_at).getTime() - new Date(run.due_at).getTime()) / 1000;
    expect(values.get('spotlight_scheduler_lag_seconds_count')).toBe(1);
    expect(values.get('spotlight_scheduler_lag_seconds_sum')).toBeCloseTo(lag, 2);
    expect(lag).toBeGreaterThan(0);
    expect(values.get('spotlight_scheduler_last_tick_timestamp_seconds')).toBeGreaterThanOrEqual(
      Math.floor(before),
    );
    await db.knex('spotlight_export_run').where({ schedule_id: created.body.id }).delete();
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it('needs no API token, and needs SPOTLIGHT_METRICS_TOKEN when that is set', async () => {
    const guarded = await startTestApp(db, null, { SPOTLIGHT_METRICS_TOKEN: 'scrape-secret' });
    try {
      await request(guarded.http).get('/metrics').expect(401);
      await request(guarded.http).get('/metrics').set(bearer(staff)).expect(401);
      const res = await request(guarded.http).get('/metrics').set(bearer('scrape-secret')).expect(200);
      expect(samples(res.text).get('spotlight_queue_depth')).toBe(0);
    } finally {
      await guarded.close();
    }
  });
});
