import type { Knex } from 'knex';
import { SPOTLIGHT_COLUMNS, SPOTLIGHT_TABLES, type SpotlightTable } from '@spotlight/core';
import { BulkWriter, type SqlValue } from './bulk-writer';

/** Spotlight's tables the generator fills, in an order that satisfies every foreign key. */
export const SEEDED_TABLES = SPOTLIGHT_TABLES;

export type SeededTable = SpotlightTable;

/** Hands out explicit ids, so that no row needs a round trip to learn its own. */
export class IdAllocator {
  private constructor(private readonly next: Map<SeededTable, number>) {}

  static async start(db: Knex): Promise<IdAllocator> {
    const next = new Map<SeededTable, number>();
    for (const table of SEEDED_TABLES) {
      const row = (await db(table).max({ max: 'id' }).first()) as { max: number | string | null } | undefined;
      next.set(table, Number(row?.max ?? 0) + 1);
    }
    return new IdAllocator(next);
  }

  /** The first of `count` consecutive new ids of `table`. */
  take(table: SeededTable, count: number): number {
    const first = this.next.get(table)!;
    this.next.set(table, first + count);
    return first;
  }
}

/** Consecutive ids of one table, from `first`. */
export interface IdRange {
  first: number;
  count: number;
}

/** Writes rows of one table, every column in the schema's order, with ids from the allocator. */
export class TableLoad {
  private readonly writer: BulkWriter;
  private nextId = 0;

  constructor(
    db: Knex,
    private readonly ids: IdAllocator,
    readonly table: SeededTable,
  ) {
    this.writer = new BulkWriter(db, table, SPOTLIGHT_COLUMNS[table]);
  }

  /** Reserves ids for rows whose number is known up front. */
  reserve(count: number): number {
    this.nextId = this.ids.take(this.table, count);
    return this.nextId;
  }

  /** Adds a row with the next reserved id, or a freshly taken one. */
  async add(values: readonly SqlValue[]): Promise<number> {
    const id = this.nextId > 0 ? this.nextId++ : this.ids.take(this.table, 1);
    await this.writer.add([id, ...values]);
    return id;
  }

  async end(): Promise<number> {
    await this.writer.end();
    return this.writer.written;
  }
}
