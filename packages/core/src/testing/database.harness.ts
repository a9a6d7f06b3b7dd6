import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { createDatabase, createServerConnection } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { Factory } from './factories';

export type TestDialect = 'sqlite' | 'mariadb';

const ALL_DIALECTS: TestDialect[] = ['sqlite', 'mariadb'];

/**
 * The databases database suites run on, from SPOTLIGHT_TEST_DATABASES
 * ("sqlite", "mariadb" or "sqlite,mariadb"); SQLite alone by default, so a
 * machine with only Node can run the tests.
 */
export function enabledDialects(env: NodeJS.ProcessEnv = process.env): TestDialect[] {
  const raw = (env.SPOTLIGHT_TEST_DATABASES ?? 'sqlite').trim();
  const names =
    raw === 'all'
      ? ALL_DIALECTS
      : raw
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  for (const name of names) {
    if (!ALL_DIALECTS.includes(name as TestDialect)) {
      throw new Error(`SPOTLIGHT_TEST_DATABASES has "${name}"; use sqlite, mariadb or both, comma-separated`);
    }
  }
  return names as TestDialect[];
}

/** Which of these collations the MariaDB test server has (utf8mb4_0900_ai_ci is MySQL 8's). */
export async function availableCollations(wanted: string[]): Promise<string[]> {
  const admin = createServerConnection(mariadbServerUrl());
  try {
    const [rows] = await admin.raw('SHOW COLLATION WHERE Charset = ?', ['utf8mb4']);
    const have = new Set((rows as Array<{ Collation: string }>).map((row) => row.Collation));
    return wanted.filter((name) => have.has(name));
  } finally {
    await admin.destroy();
  }
}

/** The MariaDB server test databases are created on (no database in the path). */
export function mariadbServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.SPOTLIGHT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/').replace(/\/[^/]*$/, '/');
}

export interface TestDatabase {
  dialect: TestDialect;
  /** A DATABASE_URL for this database, for a child process or an app under test. */
  url: string;
  knex: Knex;
  factory: Factory;
  drop(): Promise<void>;
}

/** A new, migrated, empty database of that dialect; `drop()` removes it. */
export async function createTestDatabase(
  dialect: TestDialect,
  options: { collation?: string } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'spotlight-test-'));
    const url = `sqlite://${path.join(dir, 'test.sqlite')}`;
    return openMigrated(dialect, url, () => fs.promises.rm(dir, { recursive: true, force: true }));
  }
  const server = mariadbServerUrl();
  const name = `spotlight_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = createServerConnection(server);
  try {
    // MariaDB's and MySQL 5.7's default: it folds accents and case, which is what the guard must survive.
    const collation = options.collation ?? 'utf8mb4_general_ci';
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE ${collation}`);
  } catch (error) {
    await admin.destroy();
    throw new Error(
      `MariaDB test leg is enabled but ${server} cannot be used (${(error as Error).message}); start it or drop mariadb from SPOTLIGHT_TEST_DATABASES`,
    );
  }
  const url = `${server}${name}`;
  return openMigrated(dialect, url, async () => {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.destroy();
  });
}

/** Connects to a new, empty database, migrates it, and knows how to remove it. */
async function openMigrated(
  dialect: TestDialect,
  url: string,
  remove: () => Promise<void>,
): Promise<TestDatabase> {
  const knex = createDatabase(url);
  await migrateLatest(knex, { spotlightSchema: 'always' });
  return {
    dialect,
    url,
    knex,
    factory: new Factory(knex),
    async drop() {
      await knex.destroy();
      await remove();
    },
  };
}

/**
 * Declares `body` once per enabled database, as "<name> [sqlite]" and
 * "<name> [mariadb]", each with a clean database for the whole block. The
 * TestDatabase's fields are filled in before the first test runs.
 */
export function describeEachDatabase(name: string, body: (db: TestDatabase) => void): void {
  for (const dialect of enabledDialects()) {
    describe(`${name} [${dialect}]`, () => {
      const db = { dialect } as TestDatabase;
      beforeAll(async () => {
        Object.assign(db, await createTestDatabase(dialect));
      });
      afterAll(async () => {
        await db.drop?.();
      });
      body(db);
    });
  }
}
