import type { Knex } from 'knex';
import { createImpatientDatabase, describeEachDatabase } from '../testing';
import { RunRepository, type RunRecord } from '../runs/run.repository';
import { RUN_TABLE } from './models/tables';
import { createDatabase } from './connection';
import { isContention, retryOnContention } from './contention';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('queue statements under contention', (db) => {
  /** A new run, claimed by instance "a"; no other run is queued meanwhile. */
  const queue = async (runs: RunRepository, customer: string): Promise<RunRecord> => {
    await runs.insertQueued(
      { customer, recipient: 'm@example.com', since: null, until: null, source: 'api', tokenId: null },
      new Date(),
    );
    const claimed = await runs.claimNext({ instanceId: 'a', now: new Date(), leaseMs: 60_000 });
    expect(claimed).toMatchObject({ customer });
    return claimed!;
  };

  it('waits out a lock held past the lock-wait or busy timeout, then renews the lease', async () => {
    const impatient = await createImpatientDatabase(db.dialect, db.url);
    const holder = createDatabase(db.url);
    try {
      const runs = new RunRepository(impatient);
      const run = await queue(runs, `lock-${Date.now()}.example.com`);
      const trx = await holder.transaction();
      // SQLite locks the whole file for a writer; MariaDB the run's row.
      if (db.dialect === 'sqlite') await trx(RUN_TABLE).where({ id: -1 }).update({ attempts: 0 });
      else await trx(RUN_TABLE).where({ id: run.id }).forUpdate().first();
      const released = sleep(db.dialect === 'sqlite' ? 400 : 1_500).then(() => trx.commit());
      const until = new Date(Date.now() + 120_000);
      await expect(runs.extendLease(run, until)).resolves.toBe(true);
      await released;
      expect((await runs.findById(run.id))!.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 100_000);
    } finally {
      await holder.destroy();
      await impatient.destroy();
    }
  });

  if (db.dialect === 'mariadb') {
    it('runs a transaction chosen as a deadlock victim again, and it succeeds', async () => {
      const runs = new RunRepository(db.knex);
      const one = await queue(runs, `dead-1-${Date.now()}.example.com`);
      const two = await queue(runs, `dead-2-${Date.now()}.example.com`);
      const other = createDatabase(db.url);
      let attempts = 0;
      const errors: unknown[] = [];
      try {
        // The other transaction is the heavier one (it changed more rows), so
        // InnoDB picks the retried one as the victim.
        const heavy = await other.transaction();
        await heavy(RUN_TABLE).whereIn('id', [two.id]).update({ attempts: 7 });
        await heavy.raw(`UPDATE ${RUN_TABLE} SET attempts = attempts WHERE id > ?`, [two.id + 1000]);
        let lockedOne!: () => void;
        const oneLocked = new Promise<void>((resolve) => (lockedOne = resolve));
        const victim = retryOnContention(() =>
          db.knex.transaction(async (trx: Knex.Transaction) => {
            attempts += 1;
            try {
              await trx(RUN_TABLE).where({ id: one.id }).update({ error: 'light' });
              lockedOne();
              await trx(RUN_TABLE).where({ id: two.id }).update({ error: 'light' });
            } catch (error) {
              errors.push(error);
              throw error;
            }
          }),
        );
        await oneLocked;
        await sleep(200);
        // Each now waits for the other's row: a deadlock.
        const heavyDone = heavy(RUN_TABLE)
          .where({ id: one.id })
          .update({ error: 'heavy' })
          .then(() => heavy.commit())
          .catch(async (error) => {
            await heavy.rollback().catch(() => undefined);
            throw error;
          });
        await Promise.all([victim, heavyDone]);
      } finally {
        await other.destroy();
      }
      expect(errors.map((error) => (error as { code?: string }).code)).toEqual(['ER_LOCK_DEADLOCK']);
      expect(isContention(errors[0])).toBe(true);
      expect(attempts).toBe(2);
      expect((await runs.findById(two.id))!.error).toBe('light');
    });
  }
});
