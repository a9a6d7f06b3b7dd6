import { RunRepository } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { startTestApp, type TestApp } from '../__fixtures__/test-app';
import { AuditRepository } from '../audit/audit.repository';
import { HistoryRetentionJob } from '../jobs/history-retention.job';
import { HistoryRetentionService } from './history-retention.service';

const DAY = 86_400_000;

describeEachDatabase('history retention', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(db, null);
  });
  afterAll(() => t.close());

  let customerCount = 0;
  /** Runs of a customer of their own, created and (unless pending) finished `daysAgo` days ago. */
  async function runsOf(rows: Array<{ status: string; daysAgo: number }>) {
    customerCount += 1;
    const customer = `retention-${customerCount}.test`;
    for (const { status, daysAgo } of rows) {
      const at = new Date(Date.now() - daysAgo * DAY);
      const pending = status === 'queued' || status === 'running';
      await db.knex('spotlight_export_run').insert({
        customer,
        recipient: 'manager@retention.test',
        status,
        source: 'api',
        attempts: status === 'queued' ? 0 : 1,
        next_attempt_at: at,
        created_at: at,
        started_at: status === 'queued' ? null : at,
        lease_expires_at: status === 'running' ? at : null,
        finished_at: pending ? null : at,
      });
    }
    return customer;
  }
  const statusesOf = async (customer: string) =>
    (
      await db.knex('spotlight_export_run').where({ customer }).orderBy('id').select('status', 'finished_at')
    ).map((row) => `${row.status}${row.finished_at ? '' : ' (pending)'}`);

  async function auditAt(target: string, daysAgo: number) {
    await new AuditRepository(db.knex, () => new Date(Date.now() - daysAgo * DAY)).record({
      tokenId: null,
      action: 'export.queue',
      target,
    });
  }

  it('deletes finished runs and audit entries older than SPOTLIGHT_HISTORY_DAYS (400), never pending runs', async () => {
    const customer = await runsOf([
      { status: 'sent', daysAgo: 500 },
      { status: 'failed', daysAgo: 401 },
      { status: 'queued', daysAgo: 700 },
      { status: 'running', daysAgo: 700 },
      { status: 'sent', daysAgo: 399 },
      { status: 'failed', daysAgo: 1 },
    ]);
    await auditAt('retention:old', 450);
    await auditAt('retention:kept', 30);

    expect(await t.app.get(HistoryRetentionJob).purge()).toEqual({ runs: 2, auditEntries: 1 });

    expect(await statusesOf(customer)).toEqual(['queued (pending)', 'running (pending)', 'sent', 'failed']);
    const targets = await db
      .knex('spotlight_export_audit')
      .where('target', 'like', 'retention:%')
      .pluck('target');
    expect(targets).toEqual(['retention:kept']);
    expect(await t.app.get(HistoryRetentionJob).purge()).toEqual({ runs: 0, auditEntries: 0 });
  });

  it('deletes in bounded batches until nothing that old is left', async () => {
    const customer = await runsOf([
      ...Array.from({ length: 5 }, () => ({ status: 'sent', daysAgo: 1_100 })),
      { status: 'queued', daysAgo: 1_100 },
      { status: 'failed', daysAgo: 900 },
    ]);
    for (let i = 0; i < 3; i += 1) await auditAt(`retention:batch-${i}`, 1_100);
    const deletes: string[] = [];
    const onQuery = (query: { sql: string }) => {
      if (/^delete/i.test(query.sql)) deletes.push(query.sql);
    };
    db.knex.on('query', onQuery);
    try {
      const service = new HistoryRetentionService(new RunRepository(db.knex), new AuditRepository(db.knex), {
        days: 1_000,
        batchSize: 2,
      });
      expect(await service.purge()).toEqual({ runs: 5, auditEntries: 3 });
    } finally {
      db.knex.off('query', onQuery);
    }
    // 5 runs: 2 + 2 + 1; 3 audit entries: 2 + 1.
    expect(deletes).toHaveLength(5);
    expect(await statusesOf(customer)).toEqual(['queued (pending)', 'failed']);
  });
});
