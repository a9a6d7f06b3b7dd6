import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertNumQueries, describeEachDatabase, type SiteRow } from '@spotlight/core/testing';
import { CustomerRepository } from '@spotlight/core';
import { expectSuccess, parseJson, runCli } from '../../__fixtures__/run-cli';
import type { JsonFailure } from '../../base-command';
import type { CustomersListResult } from './list';
import type { CustomersManagersResult } from './managers';

describeEachDatabase('spotlight customers', (db) => {
  let acme: SiteRow;
  let empty: SiteRow;
  let accented: SiteRow;
  const env = () => ({ DATABASE_URL: db.url });
  const lastLogin = new Date('2026-03-04T05:06:07.000Z');

  beforeAll(async () => {
    const f = db.factory;
    acme = await f.site({ domain: `acme-${Date.now()}.example.com`, name: 'Acme' });
    empty = await f.site({ name: 'Nobody yet' });
    // MariaDB's default collation says "café" equals "cafe": the plain spelling must not find it.
    accented = await f.site({ domain: `café-${Date.now()}.example.com`, name: 'Café' });
    await f.manager({
      site: acme,
      email: `boss@${acme.domain}`,
      first_name: 'Bo',
      last_name: 'Ss',
      last_login: lastLogin,
    });
    await f.manager({
      site: acme,
      email: `former@${acme.domain}`,
      is_active: false,
      first_name: 'For',
      last_name: 'Mer',
    });
    await f.user({ site: acme, email: `user1@${acme.domain}` });
    await f.user({ site: acme, email: `user2@${acme.domain}`, is_active: false });
    await f.manager({ site: accented, email: `chef@${accented.domain}` });
  });

  // oclif reads <BIN>_DATA_DIR, which is SPOTLIGHT_DATA_DIR, for plugins a user installed.
  it('prints nothing of oclif when SPOTLIGHT_DATA_DIR is not a folder oclif can read', async () => {
    const file = path.join(os.tmpdir(), `spotlight-data-dir-${process.pid}`);
    fs.writeFileSync(file, '');
    try {
      const run = await runCli(['customers', 'list'], { ...env(), SPOTLIGHT_DATA_DIR: file });
      expectSuccess(run);
      expect(run.stderr).toBe('');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('lists every customer with its users, active accounts and managers, in one query', async () => {
    const [json, text] = await Promise.all([
      runCli(['customers', 'list', '--json'], env()),
      runCli(['customers', 'list'], env()),
    ]);
    expectSuccess(json);
    const result = parseJson<CustomersListResult>(json);
    expect(result.customers).toEqual(
      expect.arrayContaining([
        { domain: acme.domain, name: 'Acme', users: 4, activeUsers: 2, activeAccounts: 2, managers: 2 },
        {
          domain: empty.domain,
          name: 'Nobody yet',
          users: 0,
          activeUsers: 0,
          activeAccounts: 0,
          managers: 0,
        },
        { domain: accented.domain, name: 'Café', users: 1, activeUsers: 1, activeAccounts: 1, managers: 1 },
      ]),
    );
    const domains = result.customers.map((customer) => customer.domain);
    expect(domains).toEqual([...domains].sort());

    expectSuccess(text);
    expect(text.stderr).toBe('');
    expect(text.stdout.split('\n')[0]).toMatch(/^DOMAIN\s+NAME\s+USERS\s+ACTIVE ACCOUNTS\s+MANAGERS$/);
    expect(text.stdout).toMatch(
      new RegExp(`^${acme.domain.replace(/\./g, '\\.')}\\s+Acme\\s+4\\s+2\\s+2$`, 'm'),
    );

    await assertNumQueries(db.knex, 1, () => new CustomerRepository(db.knex).listSites());
  });

  it("lists a customer's managers, active or not, with their last login", async () => {
    const [json, text] = await Promise.all([
      runCli(['customers', 'managers', '-c', ` ${acme.domain.toUpperCase()} `, '--json'], env()),
      runCli(['customers', 'managers', '--customer', acme.domain], env()),
    ]);
    expectSuccess(json);
    expect(parseJson<CustomersManagersResult>(json)).toEqual({
      customer: acme.domain,
      name: 'Acme',
      managers: [
        {
          email: `boss@${acme.domain}`,
          firstName: 'Bo',
          lastName: 'Ss',
          active: true,
          lastLogin: lastLogin.toISOString(),
        },
        { email: `former@${acme.domain}`, firstName: 'For', lastName: 'Mer', active: false, lastLogin: null },
      ],
    });

    expectSuccess(text);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+ACTIVE ACCOUNT\s+LAST LOGIN$/);
    expect(lines[1]).toMatch(/^boss@\S+\s+Bo Ss\s+yes\s+2026-03-04T05:06:07\.000Z$/);
    expect(lines[2]).toMatch(/^former@\S+\s+For Mer\s+no\s+never$/);
    expect(lines).toHaveLength(3);

    await assertNumQueries(db.knex, 1, () =>
      new CustomerRepository(db.knex).findSiteWithManagers(acme.domain),
    );
  });

  it('says so when a customer has no manager', async () => {
    const run = await runCli(['customers', 'managers', '-c', empty.domain], env());
    expectSuccess(run);
    expect(run.stdout).toBe(`${empty.domain} (Nobody yet) has no managers.\n`);
  });

  it('exits 3 for an unknown customer, and does not take an accented domain for a plain one', async () => {
    const plain = accented.domain.replace('é', 'e');
    const [unknown, folded, json] = await Promise.all([
      runCli(['customers', 'managers', '-c', 'nobody.example.org'], env()),
      runCli(['customers', 'managers', '-c', plain], env()),
      runCli(['customers', 'managers', '-c', plain, '--json'], env()),
    ]);
    for (const run of [unknown, folded]) {
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 3, stdout: '' });
      expect(run.stderr).toMatch(/^Error: No customer has the domain "[^"]+"; [^\n]+\n$/);
    }
    expect(parseJson<JsonFailure>(json).error).toMatchObject({ code: 'CUSTOMER_NOT_FOUND', exitCode: 3 });
  });
});
