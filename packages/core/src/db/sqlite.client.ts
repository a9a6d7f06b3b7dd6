import fs from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import type BetterSqlite3 from 'better-sqlite3';
import { DatabaseNotFoundError } from '../errors';
import { PRIVATE_FILE_MODE } from '../files/private-folder';
import type { SpotlightClientConfig } from './mysql.client';
import { forwardRows } from './row-stream';
// knex ships no typings for its dialect classes; this is its documented extension point.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ClientBetterSqlite3 = require('knex/lib/dialects/better-sqlite3');

/**
 * Formats a Date the way Django's SQLite backend stores datetimes
 * ("YYYY-MM-DD HH:MM:SS.ffffff", UTC), so stored values sort and compare as text.
 */
export function toDjangoDatetime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000`;
}

/**
 * Makes a database file that does not exist yet readable by this OS user
 * only, whatever the umask: it holds customers' users' addresses. SQLite then
 * gives its -wal and -shm files the same mode. An existing file keeps its
 * mode: whoever made it chose it, and a backup job may rely on it.
 */
function createPrivateFile(filename: string): void {
  try {
    fs.closeSync(fs.openSync(filename, 'wx', PRIVATE_FILE_MODE));
  } catch {
    // There already (EEXIST), or not ours to make (a read-only folder, say):
    // better-sqlite3 opens it, or reports why it cannot, as before.
  }
}

interface QueryObject {
  sql: string;
  bindings?: unknown[];
}

/**
 * knex's better-sqlite3 client with two changes:
 * - dates are bound as Django-formatted text instead of epoch milliseconds;
 * - `.stream()` iterates the statement row by row instead of loading every row first.
 */
export class SqliteClient extends ClientBetterSqlite3 {
  _formatBindings(bindings: unknown[] | undefined): unknown[] {
    if (!bindings) return [];
    return bindings.map((binding) => {
      if (binding instanceof Date) return toDjangoDatetime(binding);
      if (typeof binding === 'boolean') return Number(binding);
      return binding;
    });
  }

  declare config: { spotlight: SpotlightClientConfig & { fileMustExist: boolean } };
  declare connectionSettings: { filename: string };

  // better-sqlite3 creates a file that does not exist; only `db migrate` may.
  async acquireRawConnection(): Promise<BetterSqlite3.Database> {
    const { fileMustExist, target, setting } = this.config.spotlight;
    const { filename } = this.connectionSettings;
    if (fileMustExist && !fs.existsSync(filename)) throw new DatabaseNotFoundError(target, 'sqlite', setting);
    if (filename !== ':memory:') createPrivateFile(filename);
    return super.acquireRawConnection();
  }

  async _stream(connection: BetterSqlite3.Database, obj: QueryObject, output: Writable): Promise<void> {
    if (!obj.sql) throw new Error('The query is empty');
    // A statement that fails to prepare (a missing table, say) must fail the
    // stream, or its reader would wait forever.
    let rows: IterableIterator<unknown>;
    try {
      rows = connection
        .prepare(obj.sql)
        .iterate(this._formatBindings(obj.bindings)) as IterableIterator<unknown>;
    } catch (error) {
      output.destroy(error as Error);
      throw error;
    }
    const source = new Readable({
      objectMode: true,
      read() {
        try {
          for (;;) {
            const next = rows.next();
            if (next.done) return void this.push(null);
            if (!this.push(next.value)) return;
          }
        } catch (error) {
          this.destroy(error as Error);
        }
      },
      destroy(error, callback) {
        // Frees the statement: the connection cannot run another one while it is open.
        rows.return?.();
        callback(error);
      },
    });
    // Rows come synchronously here, so silence can only be a reader that
    // stopped asking; the same forwarding as MySQL's proves that is not counted.
    await forwardRows(source, output, {
      idleMs: this.config.spotlight.idleTimeoutMs,
      abort: () => undefined,
    });
  }
}
