import { assertNumQueries, describeEachDatabase } from '../testing';
import { AuditRepository } from './audit.repository';

describeEachDatabase('the audit trail read by target', (db) => {
  it("reads these targets' entries of these actions, newest first, in one query", async () => {
    const audit = new AuditRepository(db.knex);
    const record = (action: string, target: string) => audit.record({ tokenId: null, action, target });
    await record('schedule.pause', 'schedule:501');
    await record('schedule.update', 'schedule:502');
    await record('schedule.run', 'schedule:501');
    await record('schedule.pause', 'schedule:503');
    await record('schedule.update', 'schedule:501');

    const read = await assertNumQueries(db.knex, 1, () =>
      audit.latestFor(['schedule:501', 'schedule:502'], ['schedule.pause', 'schedule.update']),
    );
    expect(read.map((entry) => [entry.action, entry.target])).toEqual([
      ['schedule.update', 'schedule:501'],
      ['schedule.update', 'schedule:502'],
      ['schedule.pause', 'schedule:501'],
    ]);
    expect(await assertNumQueries(db.knex, 0, () => audit.latestFor([], ['schedule.pause']))).toEqual([]);
  });
});
