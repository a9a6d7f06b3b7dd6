import type { Knex } from 'knex';
import { dialectOf, toDjangoDatetime } from '@spotlight/core';

export type SqlValue = string | number | boolean | Date | null;

const MAX_ROWS_PER_INSERT = 5000;
// Well under MariaDB's default max_allowed_packet (16 MB).
const MAX_CHARS_PER_INSERT = 2_000_000;

/**
 * Multi-row INSERTs of literal values with explicit ids. Values are written
 * into the SQL text rather than bound: SQLite caps bound parameters per
 * statement, and literals keep a 5,000-row batch to one cheap round trip.
 * While JavaScript builds the next batch the previous one runs.
 */
export class BulkWriter {
  private tuples: string[] = [];
  private chars = 0;
  private inflight: Promise<unknown> | null = null;
  private readonly quote: (text: string) => string;
  /** Rows handed to the database so far. */
  written = 0;

  constructor(
    private readonly db: Knex,
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {
    this.quote =
      dialectOf(db) === 'mysql'
        ? (text) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`
        : (text) => `'${text.replace(/'/g, "''")}'`;
  }

  async add(values: readonly SqlValue[]): Promise<void> {
    const tuple = `(${values.map((value) => this.literal(value)).join(',')})`;
    this.tuples.push(tuple);
    this.chars += tuple.length + 1;
    if (this.tuples.length >= MAX_ROWS_PER_INSERT || this.chars >= MAX_CHARS_PER_INSERT) await this.flush();
  }

  /** Sends what is buffered and waits until the database has all of it. */
  async end(): Promise<void> {
    await this.flush();
    const last = this.inflight;
    this.inflight = null;
    await last;
  }

  private async flush(): Promise<void> {
    if (this.tuples.length === 0) return;
    const sql = `INSERT INTO ${this.table} (${this.columns.join(',')}) VALUES ${this.tuples.join(',')}`;
    this.written += this.tuples.length;
    this.tuples = [];
    this.chars = 0;
    // One statement in flight at a time: enough to overlap building and
    // loading, and rows of one table still arrive in id order.
    await this.inflight;
    // `then` starts the query exactly once; a knex builder reruns on every `then`.
    const running = this.db.raw(sql).then(() => undefined);
    // Rejections are seen by the next await; this only stops Node reporting
    // them as unhandled in between.
    running.catch(() => undefined);
    this.inflight = running;
  }

  private literal(value: SqlValue): string {
    if (value === null) return 'NULL';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`${this.table}: ${value} is not a finite number`);
      return String(value);
    }
    if (typeof value === 'boolean') return value ? '1' : '0';
    if (value instanceof Date) return `'${toDjangoDatetime(value)}'`;
    return this.quote(value);
  }
}
