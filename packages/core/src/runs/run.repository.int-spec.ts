import { assertNumQueries, describeEachDatabase } from '../testing';
import { RunRepository, type RunStatus } from './run.repository';
import { RUN_TABLE } from '../db/models/tables';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-25T10:00:00Z');

describeEachDatabase('run history queries', (db) => {
  let scheduleId = 1_000;

  /** Runs of one schedule, one per due time an hour apart up to `end`, oldest first. */
  async function scheduleRuns(statuses: RunStatus[], end = NOW) {
    scheduleId += 1;
    for (const [i, status] of statuses.entries()) {
      const dueAt = new Date(end.getTime() - (statuses.length - i) * HOUR);
      await db.knex(RUN_TABLE).insert({
        customer: 'history.example.com',
        recipient: 'manager@history.example.com',
        status,
        source: 'schedule',
        schedule_id: scheduleId,
        due_at: dueAt,
        attempts: 1,
        next_attempt_at: dueAt,
        created_at: dueAt,
        finished_at: status === 'sent' || status === 'failed' ? new Date(dueAt.getTime() + 1_000) : null,
      });
    }
    return scheduleId;
  }

  it("reads a schedule's latest finished runs, newest due time first, in one query", async () => {
    const id = await scheduleRuns(['failed', 'sent', 'failed', 'failed', 'running', 'queued']);
    await scheduleRuns(['failed', 'failed', 'failed']);
    const runs = new RunRepository(db.knex);

    const latest = await assertNumQueries(db.knex, 1, () => runs.recentFinishedForSchedule(id, 3));
    expect(latest.map((run) => [run.status, run.dueAt!.toISOString()])).toEqual([
      ['failed', new Date(NOW.getTime() - 3 * HOUR).toISOString()],
      ['failed', new Date(NOW.getTime() - 4 * HOUR).toISOString()],
      ['sent', new Date(NOW.getTime() - 5 * HOUR).toISOString()],
    ]);
    const afterTheSent = new Date(NOW.getTime() - 5 * HOUR + 1_000);
    expect((await runs.recentFinishedForSchedule(id, 3, afterTheSent)).map((run) => run.status)).toEqual([
      'failed',
      'failed',
    ]);
  });

  it("reads each schedule's newest run in one query, whatever the number of schedules", async () => {
    const first = await scheduleRuns(['sent', 'failed', 'queued']);
    const second = await scheduleRuns(['failed', 'sent']);
    const none = scheduleId + 1_000;
    const runs = new RunRepository(db.knex);
    const newestId = async (id: number) =>
      Number((await db.knex(RUN_TABLE).where({ schedule_id: id }).max({ id: 'id' }))[0].id);

    const newest = await assertNumQueries(db.knex, 1, () => runs.newestOfSchedules([first, second, none]));
    expect([...newest.keys()].sort()).toEqual([first, second].sort());
    expect(newest.get(first)).toMatchObject({ id: await newestId(first), status: 'queued' });
    expect(newest.get(second)).toMatchObject({ id: await newestId(second), status: 'sent' });
    expect(await assertNumQueries(db.knex, 0, () => runs.newestOfSchedules([]))).toEqual(new Map());
  });

  it('deletes finished runs older than a cutoff in batches, never pending ones', async () => {
    // Older than every other run here, so that the batches take only these.
    const end = new Date(NOW.getTime() - 100 * 24 * HOUR);
    const id = await scheduleRuns(['sent', 'failed', 'queued', 'running', 'sent'], end);
    const runs = new RunRepository(db.knex);
    const cutoff = new Date(end.getTime() - HOUR);
    const remaining = () => db.knex(RUN_TABLE).where({ schedule_id: id }).orderBy('due_at').pluck('status');

    // The first batch takes the oldest: one select, one delete.
    expect(await assertNumQueries(db.knex, 2, () => runs.deleteFinishedBefore(cutoff, 1))).toBe(1);
    expect(await remaining()).toEqual(['failed', 'queued', 'running', 'sent']);
    expect(await runs.deleteFinishedBefore(cutoff, 10)).toBe(1);
    expect(await remaining()).toEqual(['queued', 'running', 'sent']);
  });
});
