import type { Knex } from 'knex';
import {
  captureQueries,
  createTestDatabase,
  describeEachDatabase,
  enabledDialects,
  type TestDatabase,
} from '../testing';
import { createDatabase } from '../db/connection';
import { RunRepository } from './run.repository';
import { RUN_TABLE } from '../db/models/tables';

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
        // SQLite keeps no such counters: the plans of the claim's own statements
        // must search an index, never scan the table or sort what they found.
        const { result, queries } = await captureQueries(one, () => runs.claimNext(claim));
        expect(result).toMatchObject({ customer: 'due-0.example.com' });
        // The probes are the conditional UPDATEs' subqueries.
        const probes = queries.filter((query) => /^update/i.test(query.sql) && /limit/i.test(query.sql));
        expect(probes.length).toBeGreaterThan(0);
        for (const probe of probes) {
          const plan = (
            (await one.raw(`EXPLAIN QUERY PLAN ${probe.sql}`, [
              ...probe.bindings,
            ] as Knex.RawBinding[])) as Array<{
              detail: string;
            }>
          )
            .map((row) => row.detail)
            .join('; ');
          expect(plan).toMatch(/SEARCH .*USING (COVERING )?INDEX spotlight_export_run_status_/);
          expect(plan).not.toMatch(/SCAN|TEMP B-TREE/);
        }
      }
      expect(await runs.claimNext(claim)).toMatchObject({ customer: 'due-1.example.com' });
    } finally {
      await one.destroy();
    }
  });
});

describeEachDatabase('the order runs are claimed in', (db) => {
  it('claims on-demand exports ahead of scheduled ones that were due earlier, each in due order', async () => {
    const runs = new RunRepository(db.knex);
    const now = new Date();
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1_000);
    const queue = (customer: string, source: 'api' | 'schedule', queuedAt: Date, notBefore?: Date) =>
      runs.insertQueued(
        {
          customer,
          recipient: 'manager@example.com',
          since: null,
          until: null,
          source,
          tokenId: null,
          ...(source === 'schedule' ? { scheduleId: 1, dueAt: queuedAt } : { pendingKey: customer }),
          notBefore,
        },
        queuedAt,
      );
    await queue('scheduled-first.example.com', 'schedule', at(-300));
    await queue('scheduled-second.example.com', 'schedule', at(-200));
    await queue('on-demand-first.example.com', 'api', at(-100));
    await queue('on-demand-second.example.com', 'api', at(-50));
    // Queued long ago, but not claimable before a minute from now.
    await queue('scheduled-later.example.com', 'schedule', at(-400), at(60));

    // Leases that outlast the test: no claimed run comes back as abandoned.
    const claim = { instanceId: 'a', now, leaseMs: 3_600_000 };
    const order: string[] = [];
    for (let run = await runs.claimNext(claim); run; run = await runs.claimNext(claim))
      order.push(run.customer);
    expect(order).toEqual([
      'on-demand-first.example.com',
      'on-demand-second.example.com',
      'scheduled-first.example.com',
      'scheduled-second.example.com',
    ]);
    expect(await runs.claimNext({ ...claim, now: at(61) })).toMatchObject({
      customer: 'scheduled-later.example.com',
    });
  });
});

/** The claim's plan as MariaDB ran it: ANALYZE executes the statement and reports the rows it read. */
async function analyze(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string> {
  const [rows] = await db.raw(`ANALYZE FORMAT=JSON ${sql}`, [...bindings] as Knex.RawBinding[]);
  return String(Object.values((rows as Array<Record<string, unknown>>)[0])[0]);
}

// 300,000 finished runs: MariaDB only, whose sequence engine makes them in one statement.
const onMariaDb = enabledDialects().includes('mariadb') ? describe : describe.skip;
onMariaDb('claiming with 300,000 finished runs [mariadb]', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reads at most 10 rows per claim statement, on-demand or scheduled', async () => {
    await db.knex.raw(
      `INSERT INTO ${RUN_TABLE} (customer, recipient, status, source, priority, attempts, next_attempt_at, created_at, finished_at)
       SELECT CONCAT('history-', seq MOD 500, '.example.com'), 'manager@example.com',
              IF(seq MOD 10 = 0, 'failed', 'sent'), IF(seq MOD 3 = 0, 'api', 'schedule'), seq MOD 2, 1,
              '2026-01-01', '2026-01-01', '2026-01-01'
       FROM seq_1_to_300000`,
    );
    const now = new Date();
    await insertInChunks(
      db.knex,
      Array.from({ length: 1_000 }, (_, i) => ({
        customer: `wave-${i}.example.com`,
        recipient: 'manager@example.com',
        status: 'queued',
        source: i === 999 ? 'api' : 'schedule',
        priority: i === 999 ? 0 : 1,
        attempts: 0,
        next_attempt_at: new Date(now.getTime() - (1_000 - i) * 1_000),
        created_at: now,
      })),
    );
    await db.knex.raw(`ANALYZE TABLE ${RUN_TABLE}`);
    const one = createDatabase(db.url, { pool: { min: 1, max: 1 } });
    try {
      const runs = new RunRepository(one);
      const claim = { instanceId: 'a', now, leaseMs: 60_000 };
      for (const expected of ['wave-999.example.com', 'wave-0.example.com']) {
        const { result, queries } = await captureQueries(one, () => runs.claimNext(claim));
        expect(result).toMatchObject({ customer: expected });
        const probes = queries.filter((query) => /for update skip locked/i.test(query.sql));
        expect(probes.length).toBeGreaterThan(0);
        for (const probe of probes) {
          const plan = JSON.stringify(JSON.parse(await analyze(one, probe.sql, probe.bindings)));
          expect(plan).not.toMatch(/filesort|"access_type":\s*"ALL"/);
          // A probe that finds its range empty may read no table at all.
          if (/"table_name"/.test(plan)) expect(plan).toMatch(/"key":\s*"spotlight_export_run_status_/);
          const examined = [...plan.matchAll(/"r_rows":\s*([\d.]+)/g)].map((match) => Number(match[1]));
          expect(Math.max(0, ...examined)).toBeLessThanOrEqual(10);
          console.log(`[mariadb] 300,000 finished runs: claim probe read ${Math.max(0, ...examined)} rows`);
        }
      }
    } finally {
      await one.destroy();
    }
  }, 120_000);
});
