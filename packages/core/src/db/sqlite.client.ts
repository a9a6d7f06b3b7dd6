import { PassThrough } from 'node:stream';
import type BetterSqlite3 from 'better-sqlite3';
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

  async _stream(connection: BetterSqlite3.Database, obj: QueryObject, stream: PassThrough): Promise<void> {
    if (!obj.sql) throw new Error('The query is empty');
    let rows: IterableIterator<unknown> | undefined;
    try {
      // Inside the try: a statement that fails to prepare (a missing table,
      // say) must fail the stream, or its reader would wait forever.
      rows = connection
        .prepare(obj.sql)
        .iterate(this._formatBindings(obj.bindings)) as IterableIterator<unknown>;
      for (const row of rows) {
        if (stream.destroyed) break;
        if (!stream.write(row)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              stream.off('drain', done);
              stream.off('close', done);
              resolve();
            };
            stream.once('drain', done);
            stream.once('close', done);
          });
        }
      }
      stream.end();
    } catch (error) {
      stream.emit('error', error);
    } finally {
      rows?.return?.();
    }
  }
}
