import fs from 'node:fs';
import path from 'node:path';
import { describeEachDatabase, type SiteRow } from '@spotlight/core/testing';
import { expectSuccess, parseJson, runCli, tempDir } from './__fixtures__/run-cli';
import type { CustomersListResult } from './commands/customers/list';

describeEachDatabase('the CLI settings file', (db) => {
  let site: SiteRow;
  let dir: string;
  beforeAll(async () => {
    site = await db.factory.site({ name: 'Read through .env' });
  });
  beforeEach(() => {
    dir = tempDir('spotlight-cli-env-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const domains = (run: Awaited<ReturnType<typeof runCli>>) =>
    parseJson<CustomersListResult>(run).customers.map((customer) => customer.domain);

  it('reads ./.env from the working folder', async () => {
    fs.writeFileSync(path.join(dir, '.env'), `# the test database\nDATABASE_URL="${db.url}"\n`);
    const run = await runCli(['customers', 'list', '--json'], {}, undefined, dir);
    expectSuccess(run);
    expect(domains(run)).toContain(site.domain);
  });

  it('lets the environment win over the file', async () => {
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=postgres://db/spotlight\n');
    const run = await runCli(['customers', 'list', '--json'], { DATABASE_URL: db.url }, undefined, dir);
    expectSuccess(run);
    expect(domains(run)).toContain(site.domain);
  });

  it('reads the file SPOTLIGHT_ENV_FILE names instead', async () => {
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=postgres://db/spotlight\n');
    fs.writeFileSync(path.join(dir, 'spotlight.env'), `DATABASE_URL=${db.url}\n`);
    const run = await runCli(
      ['customers', 'list', '--json'],
      { SPOTLIGHT_ENV_FILE: path.join(dir, 'spotlight.env') },
      undefined,
      dir,
    );
    expectSuccess(run);
    expect(domains(run)).toContain(site.domain);
  });

  it('fails on a bad value in the file like on a bad variable: exit 2, one line naming it and the file', async () => {
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=postgres://db/spotlight\n');
    const run = await runCli(['customers', 'list'], {}, undefined, dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /Invalid configuration: DATABASE_URL must be .*\(settings from the environment and .*\/\.env\)/,
    );
  });

  it('fails in one line when SPOTLIGHT_ENV_FILE names a missing file', async () => {
    const missing = path.join(dir, 'nope.env');
    const run = await runCli(['customers', 'list'], { SPOTLIGHT_ENV_FILE: missing }, undefined, dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`SPOTLIGHT_ENV_FILE names ${missing}, which cannot be read`);
  });
});
