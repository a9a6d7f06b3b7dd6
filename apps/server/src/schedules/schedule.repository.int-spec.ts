import { createDatabase, SCHEDULE_TABLE } from '@spotlight/core';
import { createImpatientDatabase, describeEachDatabase } from '@spotlight/core/testing';
import { ScheduleRepository } from './schedule.repository';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The scheduler of every instance advances due schedules on every tick; a
 * schedule row locked by another instance past the lock-wait (MariaDB) or
 * busy (SQLite) timeout must cost a retry, not the tick.
 */
describeEachDatabase('schedule statements under contention', (db) => {
  it('advances a due schedule whose row another transaction holds past the lock-wait timeout', async () => {
    const impatient = await createImpatientDatabase(db.dialect, db.url);
    const holder = createDatabase(db.url);
    try {
      const schedules = new ScheduleRepository(impatient);
      const due = new Date(Date.now() - 60_000);
      const created = (await schedules.insert(
        {
          customer: 'contention.example.com',
          recipient: 'manager@contention.example.com',
          cron: '0 * * * *',
          timeZone: 'UTC',
          windowDays: null,
          enabled: true,
          nextDueAt: due,
        },
        1,
        new Date(),
      ))!;
      const trx = await holder.transaction();
      // SQLite locks the whole file for a writer; MariaDB the schedule's row.
      if (db.dialect === 'sqlite') await trx(SCHEDULE_TABLE).where({ id: -1 }).update({ enabled: true });
      else await trx(SCHEDULE_TABLE).where({ id: created.id }).forUpdate().first();
      const released = sleep(db.dialect === 'sqlite' ? 400 : 1_500).then(() => trx.commit());
      const next = new Date(Date.now() + 3_600_000);
      await schedules.advance(created.id, due, next);
      await released;
      expect((await schedules.findById(created.id))!.nextDueAt!.getTime()).toBe(next.getTime());
    } finally {
      await holder.destroy();
      await impatient.destroy();
    }
  });

  it('reads enabled back as a boolean from both drivers, which store it as 0 or 1', async () => {
    const schedules = new ScheduleRepository(db.knex);
    const fields = {
      customer: 'enabled.example.com',
      recipient: 'manager@enabled.example.com',
      cron: '0 6 * * 1',
      timeZone: 'UTC',
      windowDays: 7,
      enabled: true,
      nextDueAt: new Date(),
    };
    const kept = (await schedules.insert(fields, 1, new Date()))!;
    // Identical enabled schedules are one schedule: the second one differs by its cron.
    const paused = (await schedules.insert({ ...fields, cron: '0 7 * * 1' }, 1, new Date()))!;
    expect(await schedules.pauseBySystem(paused.id, new Date())).toBe(true);
    const listed = await schedules.list('enabled.example.com');
    expect(listed.map((schedule) => [schedule.id, schedule.enabled])).toEqual([
      [kept.id, true],
      [paused.id, false],
    ]);
    expect((await schedules.findById(paused.id))!.enabled).toBe(false);
  });
});
