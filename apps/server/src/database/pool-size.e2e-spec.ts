import type { Knex } from 'knex';
import { describeEachDatabase } from '@spotlight/core/testing';
import { startTestApp } from '../__fixtures__/test-app';
import { poolSizeFor } from '../config/server.settings';

function poolMax(knex: Knex): number {
  return (knex.client as { pool: { max: number } }).pool.max;
}

describe('poolSizeFor', () => {
  it('leaves room for each export (lock and snapshot), each download and a few more', () => {
    expect(poolSizeFor({ workerConcurrency: 1, maxDownloads: 4 })).toBe(10);
    expect(poolSizeFor({ workerConcurrency: 16, maxDownloads: 4 })).toBe(40);
    expect(poolSizeFor({ workerConcurrency: 16, maxDownloads: 100 })).toBe(136);
    // Under a cap on concurrent exports, each export also keeps a connection for its slot.
    expect(poolSizeFor({ workerConcurrency: 16, maxDownloads: 4, maxConcurrentExports: 8 })).toBe(56);
  });
});

describeEachDatabase('the server database pool', (db) => {
  it('is sized from the worker concurrency, so heartbeats never wait behind exports', async () => {
    const t = await startTestApp(db, null, { SPOTLIGHT_WORKER_CONCURRENCY: '16' });
    try {
      // SQLite has one connection by design: one writer at a time.
      expect(poolMax(t.knex)).toBe(db.dialect === 'mariadb' ? 40 : 1);
    } finally {
      await t.close();
    }
  });
});
