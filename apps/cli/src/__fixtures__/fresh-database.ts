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
      // An empty file is an empty SQLite database.
      const file = path.join(this.dir, `${label}.sqlite`);
      fs.writeFileSync(file, '');
      return `sqlite://${file}`;
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

  /** A URL naming a database that was never created: a file in a folder that does not exist, or an unknown database name. */
  missing(label: string): string {
    if (this.db.dialect === 'sqlite') {
      this.dir ??= tempDir();
      return `sqlite://${path.join(this.dir, `no-such-folder-${label}`, `${label}.sqlite`)}`;
    }
    return this.db.url.replace(
      /\/[^/]*$/,
      `/${new URL(this.db.url).pathname.slice(1)}_${label}_never_created`,
    );
  }

  /** Whether the database at `url`, or for SQLite the folder it would be in, exists. */
  async exists(url: string): Promise<boolean> {
    if (this.db.dialect === 'sqlite') return fs.existsSync(path.dirname(url.replace(/^sqlite:\/\//, '')));
    const name = new URL(url).pathname.slice(1);
    const [rows] = (await this.db.knex.raw(
      'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [name],
    )) as [unknown[]];
    return rows.length > 0;
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
