import type { Readable, Writable } from 'node:stream';
import { DatabaseNotFoundError, type DatabaseSetting } from '../errors';
import { forwardRows, withinIdle } from './row-stream';
// knex ships no typings for its dialect classes; this is its documented extension point.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ClientMySQL2 = require('knex/lib/dialects/mysql2');

/** The part of a mysql2 connection this client uses. */
interface Mysql2Connection {
  query(options: { sql: string }, bindings?: unknown): { stream(options?: object): Readable };
  on(event: 'error', listener: (error: Error) => void): void;
  off(event: 'error', listener: (error: Error) => void): void;
  destroy(): void;
  stream?: { destroy(): void };
}

interface QueryObject {
  sql: string;
  bindings?: unknown[];
  options?: object;
}

/** What the dialect clients read from their knex config, beside knex's own keys. */
export interface SpotlightClientConfig {
  /** How long the database may stay silent while an answer or a row is awaited. */
  idleTimeoutMs: number;
  /** The database's URL, password masked, for messages. */
  target: string;
  /** The setting that names the database. */
  setting: DatabaseSetting;
}

/**
 * Closes a connection at once, socket included. mysql2's own close() only
 * half-closes the socket, which keeps a stalled connection (and the process)
 * alive, and leaves the commands queued behind a stuck one waiting forever.
 */
function closeNow(connection: Mysql2Connection): void {
  connection.destroy();
  connection.stream?.destroy();
}

/**
 * knex's mysql2 client with every wait on the database bounded:
 * - a streamed query fails when its connection is lost. mysql2 reports a lost
 *   connection to the connection, not to a query without a callback (a
 *   stream), and knex listens only to the query: the stream used to wait forever;
 * - any statement, and a stream while its reader wants rows, fails after
 *   `idleTimeoutMs` without a byte from the database;
 * - either way the connection is closed, so the ROLLBACK that follows fails
 *   at once instead of queueing behind the dead statement, and the pool
 *   discards the connection instead of waiting on it when it is destroyed.
 */
export class MysqlClient extends ClientMySQL2 {
  declare config: { spotlight: SpotlightClientConfig };

  async acquireRawConnection(): Promise<unknown> {
    try {
      return await super.acquireRawConnection();
    } catch (error) {
      const { target, setting } = this.config.spotlight;
      if ((error as { code?: unknown }).code === 'ER_BAD_DB_ERROR')
        throw new DatabaseNotFoundError(target, 'mysql', setting, error);
      throw error;
    }
  }

  _query(connection: Mysql2Connection, obj: QueryObject): Promise<unknown> {
    return withinIdle(
      super._query(connection, obj) as Promise<unknown>,
      this.config.spotlight.idleTimeoutMs,
      () => closeNow(connection),
    );
  }

  async _stream(
    connection: Mysql2Connection,
    obj: QueryObject,
    output: Writable,
    options?: object,
  ): Promise<void> {
    if (!obj.sql) throw new Error('The query is empty');
    const rows = connection.query({ ...obj.options, sql: obj.sql }, obj.bindings).stream(options);
    const lost = (error: Error) => rows.destroy(error);
    connection.on('error', lost);
    try {
      await forwardRows(rows, output, {
        idleMs: this.config.spotlight.idleTimeoutMs,
        abort: () => closeNow(connection),
      });
    } finally {
      connection.off('error', lost);
    }
  }
}
