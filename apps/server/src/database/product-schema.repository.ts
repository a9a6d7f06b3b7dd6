import type { Knex } from 'knex';
import { RUN_TABLE, assertQueueSupport, pendingProductMigrations } from '@spotlight/core';

/** What the server checks of the database before it starts: its version, its export tables, its migrations. */
export class ProductSchemaRepository {
  constructor(private readonly db: Knex) {}

  /** Throws when the database server cannot run the queue (too old a version); `label` names it in the message. */
  assertQueueSupport(label: string): Promise<void> {
    return assertQueueSupport(this.db, label);
  }

  /** Whether `spotlight db migrate` has created the export tables at all. */
  hasExportTables(): Promise<boolean> {
    return this.db.schema.hasTable(RUN_TABLE);
  }

  /** The product migrations not run yet, by name. */
  pendingMigrations(): Promise<string[]> {
    return pendingProductMigrations(this.db);
  }
}
