import { createDatabase } from '../db/connection';
import { describeEachDatabase } from '../testing';
import { ExportInProgressError } from '../errors';
import { LOCK_TABLE } from '../db/models/tables';
import { ExportLockRepository, mysqlLockName } from './export-lock.repository';

const NOW = new Date('2026-11-25T10:00:00Z');

describeEachDatabase('export lock', (db) => {
  it('lets one holder in at a time, across connection pools, names it, and frees the customer on release', async () => {
    // A second pool stands for a second process.
    const other = createDatabase(db.url);
    try {
      const mine = new ExportLockRepository(db.knex);
      const theirs = new ExportLockRepository(other, {
        host: 'other-host',
        pid: 4242,
        isRunning: () => true,
      });
      const lock = await mine.acquire('lock.example.com', 'cli: alice', NOW);
      const refusal = await theirs
        .acquire('lock.example.com', 'cli: bob', NOW)
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(ExportInProgressError);
      expect((refusal as ExportInProgressError).message).toMatch(
        /^An export of lock\.example\.com is already running \(cli: alice, on .+ \(pid \d+\), since 2026-11-25T10:00:00\.000Z\)/,
      );
      // Another customer is not held.
      await (await theirs.acquire('free.example.com', 'cli: bob', NOW)).release();
      await lock.release();
      await (await theirs.acquire('lock.example.com', 'cli: bob', NOW)).release();
      expect(await db.knex(LOCK_TABLE).count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await other.destroy();
    }
  });

  it('takes over a lock whose holder died without releasing it', async () => {
    const other = createDatabase(db.url);
    const dead = new ExportLockRepository(other, { host: 'this-host', pid: 999_999, isRunning: () => false });
    await dead.acquire('dead.example.com', 'cli: killed', NOW);
    // The holder's process is gone: on MySQL its connection closes (killed here, as the
    // server does when a process dies), on SQLite its pid no longer runs.
    if (db.dialect === 'mariadb') {
      const [rows] = await db.knex.raw('SELECT IS_USED_LOCK(?) AS id', [mysqlLockName('dead.example.com')]);
      await db.knex.raw(`KILL ${Number((rows as Array<{ id: unknown }>)[0].id)}`);
    }
    // The pool still counts the killed connection as in use; closing it need not wait for that.
    await Promise.race([other.destroy(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
    const next = new ExportLockRepository(db.knex, {
      host: 'this-host',
      pid: process.pid,
      isRunning: () => false,
    });
    const lock = await next.acquire('dead.example.com', 'cli: next', NOW);
    await lock.release();
  });
});
