import { RUN_TABLE, RunRepository, type NewRun } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { QueueMetricsRepository } from './queue-metrics.repository';

const run = (customer: string): NewRun => ({
  customer,
  recipient: `manager@${customer}`,
  since: null,
  until: null,
  source: 'api',
  tokenId: null,
});

/** The run indexes led by status, each of which answers the queue read from the index alone. */
const STATUS_INDEX = /spotlight_export_run_status_(?:priority_)?next_idx/;

describeEachDatabase('the queue as the metrics read it', (db) => {
  it('counts queued runs and finds the earliest due one, reading the status index and not the history', async () => {
    const runs = new RunRepository(db.knex);
    const queue = new QueueMetricsRepository(db.knex);
    expect(await queue.queueState()).toEqual({ depth: 0, oldestDueAt: null });

    // A history of finished runs, which the read must not walk.
    const now = Date.now();
    await db.knex.batchInsert(
      RUN_TABLE,
      Array.from({ length: 500 }, (_, i) => ({
        customer: `history-${i % 7}.example.com`,
        recipient: 'manager@example.com',
        status: i % 5 === 0 ? 'failed' : 'sent',
        source: 'api',
        attempts: 1,
        next_attempt_at: new Date(now - 86_400_000 + i),
        created_at: new Date(now - 86_400_000 + i),
        finished_at: new Date(now - 86_400_000 + i + 1000),
      })),
      100,
    );
    const oldest = new Date(now - 120_000);
    await runs.insertQueued(run('a.example.com'), new Date(now - 30_000));
    await runs.insertQueued(run('b.example.com'), oldest);
    await runs.insertQueued(run('c.example.com'), new Date(now + 600_000));
    expect(await queue.queueState()).toEqual({ depth: 3, oldestDueAt: oldest });

    const statement = db
      .knex(RUN_TABLE)
      .where('status', 'queued')
      .count({ depth: '*' })
      .min({ oldest: 'next_attempt_at' })
      .toString();
    if (db.dialect === 'mariadb') {
      const [plan] = (await db.knex.raw(`EXPLAIN ${statement}`))[0] as Array<Record<string, unknown>>;
      // Either index led by status serves it: (status, next_attempt_at) or the claim's (status, priority, next_attempt_at).
      expect(plan).toMatchObject({ key: expect.stringMatching(STATUS_INDEX), type: 'ref' });
      expect(String(plan.Extra)).toContain('Using index');
      expect(Number(plan.rows)).toBeLessThanOrEqual(10);
    } else {
      const plan = (await db.knex.raw(`EXPLAIN QUERY PLAN ${statement}`)) as Array<{ detail: string }>;
      expect(plan.map((step) => step.detail)).toEqual([
        expect.stringMatching(new RegExp(`USING COVERING INDEX ${STATUS_INDEX.source} \\(status=\\?\\)`)),
      ]);
    }
  });
});
