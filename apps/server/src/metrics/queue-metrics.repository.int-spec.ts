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

/** The run index that answers the queue read from the index alone: (status, ready_at). */
const STATUS_INDEX = /spotlight_export_run_status_ready_idx/;

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
      .min({ oldest: 'ready_at' })
      .toString();
    if (db.dialect === 'mariadb') {
      const [plan] = (await db.knex.raw(`EXPLAIN ${statement}`))[0] as Array<Record<string, unknown>>;
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

  it('counts a run from when it became due, not from its next try after waiting for a lock or a retry', async () => {
    await db.knex(RUN_TABLE).where('status', 'queued').delete();
    const runs = new RunRepository(db.knex);
    const queue = new QueueMetricsRepository(db.knex);
    const now = Date.now();
    const due = new Date(now - 600_000);
    await runs.insertQueued(run('stuck.example.com'), due);
    const claimed = await runs.claimNext({
      instanceId: 'metrics-test',
      now: new Date(now - 1_000),
      leaseMs: 60_000,
    });
    expect(claimed).toMatchObject({ customer: 'stuck.example.com' });
    await runs.deferLocked(claimed!, 'Waiting for the lock', new Date(now + 2_000));
    expect(await queue.queueState()).toMatchObject({ oldestDueAt: due });

    const again = await runs.claimNext({
      instanceId: 'metrics-test',
      now: new Date(now + 3_000),
      leaseMs: 60_000,
    });
    expect(again).toMatchObject({ customer: 'stuck.example.com', attempts: 1 });
    await runs.retryLater(again!, 'Attempt 1 failed', new Date(now + 30_000));
    expect(await queue.queueState()).toMatchObject({ oldestDueAt: due });
  });
});
