import { createDatabase, maskUrl } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { FreshDatabases, tablesOf } from '../../__fixtures__/fresh-database';
import { type CliRun, expectSuccess, parseJson, runCli } from '../../__fixtures__/run-cli';
import type { JsonFailure } from '../../base-command';
import type { DbMigrateResult } from './migrate';

/** One line on stderr, no SQL in it, nothing on stdout. */
function expectOneLineWithoutSql(run: CliRun, exitCode: number): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: exitCode, stdout: '' });
  expect(run.stderr).toMatch(/^Error: [^\n]+\n$/);
  expect(run.stderr).not.toMatch(/\bselect\b|\binsert\b|`/i);
}

// A DATABASE_URL that points at the wrong database: empty, or another application's.
describeEachDatabase('spotlight against a database that is not Spotlight’s', (db) => {
  let fresh: FreshDatabases;

  beforeAll(() => {
    fresh = new FreshDatabases(db);
  });

  afterAll(async () => {
    await fresh.dropAll();
  });

  it('explains an export against an empty database without printing SQL: the missing table and what to do', async () => {
    const url = await fresh.create('empty');
    const [text, json] = await Promise.all([
      runCli(['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com'], {
        DATABASE_URL: url,
      }),
      runCli(['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com', '--json'], {
        DATABASE_URL: url,
      }),
    ]);

    expectOneLineWithoutSql(text, 6);
    expect(text.stderr).toMatch(
      /^Error: The database at \S+ has no Spotlight tables \(no table "(django_site|central_user)"\); check that DATABASE_URL points at Spotlight's database, or run "spotlight db migrate" first\.\n$/,
    );
    expect(json.code).toBe(6);
    const failure = parseJson<JsonFailure>(json).error;
    expect(failure).toMatchObject({ code: 'DATABASE_UNAVAILABLE', exitCode: 6 });
    expect(failure.message).not.toMatch(/select/i);
  });

  it('refuses a DATABASE_URL naming a database that does not exist, in one line, and creates nothing', async () => {
    const url = fresh.missing('typo');
    const runs = await Promise.all([
      runCli(['export', 'user-activity', '-c', 'example.com', '-e', 'manager@example.com'], {
        DATABASE_URL: url,
      }),
      runCli(['customers', 'list'], { DATABASE_URL: url }),
      runCli(['db', 'seed', '--demo'], { DATABASE_URL: url }),
    ]);
    const advice =
      db.dialect === 'sqlite'
        ? 'run "spotlight db migrate" to create it'
        : 'create it and run "spotlight db migrate"';
    for (const run of runs) {
      expectOneLineWithoutSql(run, 6);
      expect(run.stderr).toBe(
        `Error: The database at ${maskUrl(url)} does not exist; check DATABASE_URL, or ${advice}.\n`,
      );
    }
    expect(await fresh.exists(url)).toBe(false);
  });

  it('migrating creates a SQLite file that does not exist, folder and all, but not a MariaDB database', async () => {
    const url = fresh.missing('new');
    const run = await runCli(['db', 'migrate'], { DATABASE_URL: url });
    if (db.dialect === 'sqlite') {
      expectSuccess(run);
      expect(await tablesOf(url)).toEqual(expect.arrayContaining(['django_site', 'central_user']));
    } else {
      expectOneLineWithoutSql(run, 6);
      expect(run.stderr).toBe(
        `Error: The database at ${maskUrl(url)} does not exist; check DATABASE_URL, or create it and run "spotlight db migrate".\n`,
      );
      expect(await fresh.exists(url)).toBe(false);
    }
  });

  it('names a missing product table and says to migrate, again without SQL', async () => {
    const run = await runCli(['token', 'revoke', '1'], { DATABASE_URL: await fresh.create('no_product') });

    expectOneLineWithoutSql(run, 6);
    expect(run.stderr).toMatch(
      /^Error: The database at \S+ has no table "spotlight_export_token"; run "spotlight db migrate" first\.\n$/,
    );
  });

  it("refuses to create Spotlight's tables in a database that holds another application's tables", async () => {
    const url = await fresh.create('other_app');
    const knex = createDatabase(url);
    try {
      await knex.schema.createTable('wp_posts', (table) => {
        table.increments('id');
        table.string('title');
      });
    } finally {
      await knex.destroy();
    }

    const [text, json] = await Promise.all([
      runCli(['db', 'migrate'], { DATABASE_URL: url }),
      runCli(['db', 'migrate', '--json'], { DATABASE_URL: url }),
    ]);
    expectOneLineWithoutSql(text, 2);
    expect(text.stderr).toMatch(
      /^Error: The database at \S+ has other tables \(wp_posts\) but not Spotlight's django_site, so DATABASE_URL may point at another application's database; check it, or run "spotlight db migrate --spotlight-schema always" to create Spotlight's tables there anyway\.\n$/,
    );
    expect(parseJson<JsonFailure>(json).error).toMatchObject({ code: 'CONFIGURATION', exitCode: 2 });
    expect(await tablesOf(url)).toEqual(['wp_posts']);

    const forced = await runCli(['db', 'migrate', '--spotlight-schema', 'always', '--json'], {
      DATABASE_URL: url,
    });
    expectSuccess(forced);
    expect(parseJson<DbMigrateResult>(forced)).toMatchObject({ spotlightSchema: 'migrated' });
    expect(await tablesOf(url)).toEqual(expect.arrayContaining(['wp_posts', 'django_site', 'central_user']));

    // Once this product created them, a plain migrate is at home there.
    expectSuccess(await runCli(['db', 'migrate'], { DATABASE_URL: url }));
  });

  it('still migrates an empty database, and the documented "db seed --demo" after the demo keeps what is there', async () => {
    const env = { DATABASE_URL: await fresh.create('demo') };
    expectSuccess(await runCli(['db', 'migrate'], env));
    expectSuccess(await runCli(['db', 'seed', '--demo'], env));

    // What the demo leaves behind, then the server README's "db migrate" and "db seed --demo".
    const migrate = await runCli(['db', 'migrate'], env);
    expectSuccess(migrate);
    const seed = await runCli(['db', 'seed', '--demo'], env);
    expectSuccess(seed);
    expect(seed.stderr).toBe('');
    expect(seed.stdout).toBe(
      [
        'The demo data is already there (example.com and other.example.org): nothing was added.',
        'Its manager: manager@example.com',
        'Export it: spotlight export user-activity -c example.com -e manager@example.com',
        '',
      ].join('\n'),
    );
    const json = await runCli(['db', 'seed', '--demo', '--json'], env);
    expectSuccess(json);
    expect(parseJson(json)).toMatchObject({
      created: false,
      site: { domain: 'example.com' },
      managerEmail: 'manager@example.com',
      noiseSites: ['other.example.org'],
    });

    // Any other domain that exists is still refused, so nothing is ever doubled.
    const taken = await runCli(['db', 'seed', '--users', '3', '--domain', 'example.com'], env);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/^Error: The database already has example\.com; /);
  });
});
