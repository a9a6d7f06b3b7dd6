import fs from 'node:fs';
import path from 'node:path';
import { createDatabase, SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { FreshDatabases } from '../../__fixtures__/fresh-database';
import { expectSuccess, parseJson, runCli, tempDir } from '../../__fixtures__/run-cli';
import type { UserActivityExportResult } from '../export/user-activity';
import type { DbMigrateResult } from './migrate';
import type { DbSeedResult } from './seed';

describeEachDatabase('spotlight db', (db) => {
  let dir: string;
  const fresh = new FreshDatabases(db);
  /** An empty database of the same kind as `db`, never migrated. */
  const freshDatabase = (label: string) => fresh.create(label);

  beforeAll(() => {
    dir = tempDir();
  });

  afterAll(async () => {
    await fresh.dropAll();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrates a fresh database, seeds the demo and exports it', async () => {
    const env = {
      DATABASE_URL: await freshDatabase('fresh'),
      SPOTLIGHT_OUTBOX_DIR: path.join(dir, 'outbox'),
    };

    const migrate = await runCli(['db', 'migrate'], env);
    expectSuccess(migrate);
    expect(migrate.stdout).toContain("Spotlight's tables: migrated by this product.");
    expect(migrate.stdout).toMatch(/^Ran \d+ migrations: 0001-spotlight-schema, .+\.$/m);
    expect(migrate.stderr).toBe('');

    const again = await runCli(['db', 'migrate', '--json'], env);
    expectSuccess(again);
    expect(parseJson<DbMigrateResult>(again)).toEqual({
      spotlightSchema: 'migrated',
      ran: [],
      database: env.DATABASE_URL,
    });

    const seed = await runCli(['db', 'seed', '--demo'], env);
    expectSuccess(seed);
    expect(seed.stdout).toMatch(/^Created example\.com \(Example Inc\.\): 300 users, \d+ activity rows/m);
    expect(seed.stdout).toContain('Its manager: manager@example.com');
    expect(seed.stdout).toContain('Other sites, to show isolation: other.example.org');
    expect(seed.stderr).toBe('');

    const [exported, twice, sized] = await Promise.all([
      runCli(
        ['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com', '--dry-run', '--json'],
        env,
      ),
      runCli(['db', 'seed', '--demo'], env),
      runCli(['db', 'seed', '--users', '25', '--seed', '7', '--domain', 'small.example.net', '--json'], env),
    ]);
    expectSuccess(exported);
    const summary = parseJson<UserActivityExportResult>(exported);
    expect(summary.customer).toBe('example.com');
    expect(summary.active + summary.inactive).toBe(300);
    expect(summary.active).toBeGreaterThan(0);

    // Seeding the demo again adds nothing (the server README runs it after the demo).
    expectSuccess(twice);
    expect(twice.stdout).toMatch(
      /^The demo data is already there \(example\.com and other\.example\.org\): nothing was added\.$/m,
    );

    expectSuccess(sized);
    expect(parseJson<DbSeedResult>(sized)).toMatchObject({
      site: { domain: 'small.example.net' },
      users: 25,
      managerEmail: 'manager@small.example.net',
    });
  });

  it("leaves Spotlight's tables alone in a database where Spotlight created them", async () => {
    const url = await freshDatabase('production');
    // A production database: Django's tables exist, and this product never recorded creating them.
    const knex = createDatabase(url);
    try {
      const env = { DATABASE_URL: url };
      expectSuccess(await runCli(['db', 'migrate', '--spotlight-schema', 'always'], env));
      await knex.schema.dropTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE);
      await knex.schema.dropTable(`${SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE}_lock`);

      const run = await runCli(['db', 'migrate'], env);
      expectSuccess(run);
      expect(run.stdout).toContain(
        "Spotlight's tables: skipped, they already exist in this database and belong to Spotlight itself (a production database).",
      );
      expect(run.stdout).toContain('Already up to date: no migration to run.');
      expect(await knex.schema.hasTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE)).toBe(false);
    } finally {
      await knex.destroy();
    }
  });

  it('refuses to seed a database that was never migrated, and bad usage, with one line each', async () => {
    const env = { DATABASE_URL: await freshDatabase('empty') };
    const [unmigrated, neither, badMode] = await Promise.all([
      runCli(['db', 'seed', '--users', '3'], env),
      runCli(['db', 'seed'], env),
      runCli(['db', 'migrate', '--spotlight-schema', 'sometimes'], env),
    ]);

    expect([unmigrated.code, unmigrated.stdout]).toEqual([6, '']);
    expect(unmigrated.stderr).toMatch(
      /^Error: The database at .* has no Spotlight tables .*run "spotlight db migrate" first\.\n$/,
    );
    expect([neither.code, neither.stdout]).toEqual([2, '']);
    expect(neither.stderr).toMatch(
      /^Error: Exactly one of the following must be provided: --demo, --users.*\n$/,
    );
    expect([badMode.code, badMode.stdout]).toEqual([2, '']);
    expect(badMode.stderr).toMatch(
      /^Error: Expected --spotlight-schema=sometimes to be one of: auto, always, never.*\n$/,
    );
  });
});
