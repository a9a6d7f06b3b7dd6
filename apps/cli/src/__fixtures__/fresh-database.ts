import fs from 'node:fs';
import path from 'node:path';
import { createDatabase, tableNames } from '@spotlight/core';
import type { TestDatabase } from '@spotlight/core/testing';
import { tempDir } from './run-cli';

/**
 * Empty databases of the same kind as `db`, never migrated, for tests of what
 * the CLI does before (or instead of) migrating. `dropAll()` removes them.
 */
export class FreshDatabases {
  private dir?: string;
  private readonly drops: Array<() => Promise<void>> = [];

  constructor(private readonly db: TestDatabase) {}

  async create(label: string): Promise<string> {
    if (this.db.dialect === 'sqlite') {
      this.dir ??= tempDir();
      return `sqlite://${path.join(this.dir, `${label}.sqlite`)}`;
    }
    const name = `${new URL(this.db.url).pathname.slice(1)}_${label}`;
    await this.db.knex.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    const url = this.db.url.replace(/\/[^/]*$/, `/${name}`);
    // The harness may have closed db.knex by the time this runs: drop it from its own connection.
    this.drops.push(async () => {
      const knex = createDatabase(url);
      try {
        await knex.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await knex.destroy();
      }
    });
    return url;
  }

  async dropAll(): Promise<void> {
    for (const drop of this.drops.splice(0)) await drop();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The names of the tables in the database at `url`. */
export async function tablesOf(url: string): Promise<string[]> {
  const knex = createDatabase(url);
  try {
    return await tableNames(knex);
  } finally {
    await knex.destroy();
  }
}
