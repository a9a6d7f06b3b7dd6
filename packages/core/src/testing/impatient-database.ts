import type { Knex } from 'knex';
import { createDatabase } from '../db/connection';
import type { TestDialect } from './database.harness';

/**
 * A one-connection knex to `url` that gives up on a row or file lock quickly:
 * after about 1 s on MariaDB (innodb_lock_wait_timeout's minimum) and 100 ms on
 * SQLite (busy_timeout), so a test can hold a lock past it from another
 * connection and watch the code under test retry.
 */
export async function createImpatientDatabase(dialect: TestDialect, url: string): Promise<Knex> {
  const db = createDatabase(url, {
    pool: {
      min: 0,
      max: 1,
      afterCreate: (
        conn: { query(sql: string, callback: (error: Error | null) => void): void },
        done: (error: Error | null, conn: unknown) => void,
      ) => conn.query('SET SESSION innodb_lock_wait_timeout = 1', (error: Error | null) => done(error, conn)),
    },
  });
  if (dialect === 'sqlite') await db.raw('PRAGMA busy_timeout = 100');
  return db;
}
