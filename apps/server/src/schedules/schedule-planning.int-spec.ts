import type { Knex } from 'knex';
import { AuditRepository } from '../audit/audit.repository';
import {
  CoreServices,
  ExportService,
  parseCron,
  RUN_TABLE,
  RunRepository,
  SCHEDULE_TABLE,
} from '@spotlight/core';
import { describeEachDatabase, type TestDatabase } from '@spotlight/core/testing';
import { startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleService } from './schedule.service';

const CRON = '0 9 * * *';
const ZONE = 'Europe/Berlin';

/** `count` enabled schedules all due at `dueAt` (09:00 in Berlin), as 1,000 customers' would be. */
async function wave(db: TestDatabase, count: number, dueAt: Date, prefix: string): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => ({
    customer: `${prefix}-${i}.example.com`,
    recipient: `manager@${prefix}-${i}.example.com`,
    cron: CRON,
    time_zone: ZONE,
    window_days: 7,
    enabled: true,
    next_due_at: dueAt,
    created_at: dueAt,
    updated_at: dueAt,
  }));
  for (let i = 0; i < rows.length; i += 200) await db.knex(SCHEDULE_TABLE).insert(rows.slice(i, i + 200));
}

/** How many schedules each SELECT of the schedule table returned, on this connection pool. */
function recordScheduleReads(knex: Knex): number[] {
  const sizes: number[] = [];
  knex.on('query-response', (response: unknown, query: { sql: string }) => {
    if (/^select/i.test(query.sql) && query.sql.includes(SCHEDULE_TABLE) && Array.isArray(response))
      sizes.push(response.length);
  });
  return sizes;
}

describeEachDatabase('planning a wave of due schedules', (db) => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('plans each due schedule exactly once, in batches, with no instance reading them all', async () => {
    // Two instances share a MariaDB database; SQLite is one process's file.
    const instances = db.dialect === 'mariadb' ? 2 : 1;
    for (let i = apps.length; i < instances; i += 1)
      apps.push(await startTestApp(db, null, { SPOTLIGHT_INSTANCE_ID: `planner-${i}` }));
    const now = new Date();
    const [dueAt] = parseCron(CRON, ZONE).previousRuns(1, now);
    await wave(db, 1_000, dueAt, 'wave');
    const reads = apps.map((app) => recordScheduleReads(app.knex));

    const planned = await Promise.all(apps.map((app) => app.app.get(ScheduleService).planDueRuns()));

    const runs = await db.knex(RUN_TABLE).where({ source: 'schedule' });
    const perInstance = planned.map((queued) => queued.length);
    console.log(
      `[${db.dialect}] 1,000 due schedules, ${instances} instance(s): planned ${JSON.stringify(perInstance)}, schedules read per statement ${JSON.stringify(reads.map((sizes) => Math.max(...sizes)))} over ${JSON.stringify(reads.map((sizes) => sizes.length))} statements`,
    );
    expect(runs).toHaveLength(1_000);
    expect(new Set(runs.map((run: { schedule_id: number }) => run.schedule_id)).size).toBe(1_000);
    expect(
      runs.every((run: { due_at: unknown }) => new Date(run.due_at as string).getTime() === dueAt.getTime()),
    ).toBe(true);
    expect(perInstance.reduce((sum, n) => sum + n, 0)).toBe(1_000);
    for (const [i, sizes] of reads.entries()) {
      expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
      expect(perInstance[i]).toBeGreaterThan(0);
      expect(perInstance[i]).toBeLessThan(instances === 1 ? 1_001 : 1_000);
    }
    expect(await db.knex(SCHEDULE_TABLE).where('next_due_at', '<=', now).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);

    // The same due time again, as a crash between queuing and moving on would leave it: no second run.
    await db.knex(SCHEDULE_TABLE).update({ next_due_at: dueAt });
    const again = await Promise.all(apps.map((app) => app.app.get(ScheduleService).planDueRuns()));
    expect(again.flat()).toHaveLength(0);
    expect(await db.knex(RUN_TABLE).where({ source: 'schedule' })).toHaveLength(1_000);
    await db.knex(SCHEDULE_TABLE).delete();
    await db.knex(RUN_TABLE).delete();
  }, 120_000);

  it('spreads the runs of one due time over the jitter, never before the due time', async () => {
    if (apps.length === 0) apps.push(await startTestApp(db, null));
    const [app] = apps;
    const now = new Date();
    const [dueAt] = parseCron(CRON, ZONE).previousRuns(1, now);
    await wave(db, 300, dueAt, 'jitter');
    const service = (jitterMs: number) =>
      new ScheduleService(
        new ScheduleRepository(db.knex),
        new RunRepository(db.knex),
        app.app.get(ExportService),
        app.app.get(AuditRepository),
        app.app.get(CoreServices).schedules,
        { minIntervalMinutes: 60, planBatchSize: 50, jitterMs },
        // Planned the moment they come due.
        () => dueAt,
      );
    const jitterMs = 600_000;
    const queued = await service(jitterMs).planDueRuns();
    expect(queued).toHaveLength(300);
    const offsets = (
      await db.knex(RUN_TABLE).whereIn(
        'id',
        queued.map((run) => run.id),
      )
    ).map(
      (run: { next_attempt_at: unknown }) =>
        new Date(run.next_attempt_at as string).getTime() - dueAt.getTime(),
    );
    console.log(
      `[${db.dialect}] jitter ${jitterMs / 1_000} s over 300 runs: offsets from ${Math.min(...offsets)} to ${Math.max(...offsets)} ms, ${new Set(offsets).size} distinct`,
    );
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(jitterMs);
    // Spread over the window, not bunched: 300 uniform draws leave no half of it empty.
    expect(offsets.filter((offset) => offset < jitterMs / 2).length).toBeGreaterThan(50);
    expect(offsets.filter((offset) => offset >= jitterMs / 2).length).toBeGreaterThan(50);
    expect(new Set(offsets).size).toBeGreaterThan(250);

    // Without jitter, each run is claimable at once.
    await db.knex(SCHEDULE_TABLE).update({ next_due_at: dueAt });
    await db.knex(RUN_TABLE).delete();
    const immediate = await service(0).planDueRuns();
    expect(immediate).toHaveLength(300);
    expect(immediate.every((run) => run.nextAttemptAt.getTime() === dueAt.getTime())).toBe(true);
  }, 120_000);
});
