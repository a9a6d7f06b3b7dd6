import type { Knex } from 'knex';
import { describeEachDatabase } from '../testing';
import { createDatabase } from '../db/connection';
import { RUN_TABLE, RunRepository } from './run.repository';

/** Rows MariaDB's handlers have read on this session so far (Handler_read_*). */
async function rowsRead(db: Knex): Promise<number> {
  const [rows] = await db.raw("SHOW SESSION STATUS LIKE 'Handler_read%'");
  return (rows as Array<{ Value: string }>).reduce((sum, row) => sum + Number(row.Value), 0);
}

async function insertInChunks(db: Knex, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db(RUN_TABLE).insert(rows.slice(i, i + 500));
}

/**
 * The worker claims a run on every poll of every instance. With a long
 * history and a wave of due runs it must still read only a few rows: the
 * claim used to walk the primary key through every finished run first
 * (3,003 rows read here with 3,000 finished runs, 20,003 with 20,000).
 */
describeEachDatabase('claiming the next run with a long history', (db) => {
  it('takes the run due first and reads a handful of rows per claim', async () => {
    const old = new Date('2026-01-01T00:00:00Z');
    await insertInChunks(
      db.knex,
      Array.from({ length: 3_000 }, (_, i) => ({
        customer: `history-${i % 50}.example.com`,
        recipient: 'manager@example.com',
        status: i % 10 === 0 ? 'failed' : 'sent',
        source: 'schedule',
        attempts: 1,
        next_attempt_at: old,
        created_at: old,
        finished_at: old,
      })),
    );
    // A wave of 1,000 due runs, due a second apart, the first one first.
    const now = new Date();
    await insertInChunks(
      db.knex,
      Array.from({ length: 1_000 }, (_, i) => ({
        customer: `due-${i}.example.com`,
        recipient: 'manager@example.com',
        status: 'queued',
        source: 'schedule',
        attempts: 0,
        next_attempt_at: new Date(now.getTime() - (1_000 - i) * 1_000),
        created_at: now,
      })),
    );
    // One connection, so that its session counters are the claim's.
    const one = createDatabase(db.url, { pool: { min: 1, max: 1 } });
    try {
      const runs = new RunRepository(one);
      const claim = { instanceId: 'a', now, leaseMs: 60_000 };
      if (db.dialect === 'mariadb') {
        const start = await rowsRead(one);
        const reading = (await rowsRead(one)) - start; // what reading the counters costs
        const before = await rowsRead(one);
        const first = await runs.claimNext(claim);
        const read = (await rowsRead(one)) - before - reading;
        expect(first).toMatchObject({ customer: 'due-0.example.com', status: 'running' });
        expect(read).toBeLessThanOrEqual(10);
      } else {
        // SQLite keeps no such counters: the plan must search an index, never scan the table.
        const plan = (
          (await one.raw(
            `EXPLAIN QUERY PLAN SELECT id FROM ${RUN_TABLE} WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1`,
            [now],
          )) as Array<{ detail: string }>
        )
          .map((row) => row.detail)
          .join('; ');
        expect(plan).toMatch(/SEARCH .*USING (COVERING )?INDEX spotlight_export_run_status_next_idx/);
        expect(plan).not.toMatch(/SCAN/);
        expect(await runs.claimNext(claim)).toMatchObject({ customer: 'due-0.example.com' });
      }
      expect(await runs.claimNext(claim)).toMatchObject({ customer: 'due-1.example.com' });
    } finally {
      await one.destroy();
    }
  });
});
