import crypto from 'node:crypto';
import request from 'supertest';
import { captureQueries } from '@spotlight/core';
import { describeEachDatabase, type SiteRow } from '@spotlight/core/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';

interface CustomerBody {
  domain: string;
  name: string;
  users: number;
  activeAccounts: number;
  managers: number;
}

// The customers the admin console lists, with the tenant rules of the rest of the API.
describeEachDatabase('customers API', (db) => {
  let t: TestApp;
  let staff: string;
  let siteToken: string;
  // Unique to this run, so other suites' sites on the same database do not match the searches.
  const tag = `h${crypto.randomBytes(3).toString('hex')}`;
  let alpha: SiteRow;
  let beta: SiteRow;
  let gamma: SiteRow;

  beforeAll(async () => {
    t = await startTestApp(db, null);
    staff = await createToken(db, { staff: true });
    alpha = await db.factory.site({ domain: `${tag}-alpha.example.com`, name: 'Alpha Learning' });
    beta = await db.factory.site({
      domain: `${tag}-beta.example.com`,
      name: `Beta ${tag.toUpperCase()} Corp`,
    });
    gamma = await db.factory.site({ domain: `${tag}-gamma.example.com`, name: 'Gamma 100%_off' });
    // alpha: 2 active managers, 1 inactive manager, 1 active user, 1 inactive user.
    await db.factory.manager({
      site: alpha,
      email: `zoe@${alpha.domain}`,
      first_name: 'Zoe',
      last_name: 'Z',
    });
    await db.factory.manager({
      site: alpha,
      email: `ann@${alpha.domain}`,
      first_name: 'Ann',
      last_name: 'A',
    });
    await db.factory.manager({ site: alpha, email: `old@${alpha.domain}`, is_active: false });
    await db.factory.user({ site: alpha });
    await db.factory.user({ site: alpha, is_active: false });
    await db.factory.manager({ site: beta });
    siteToken = await createToken(db, { site: beta.domain });
  });
  afterAll(() => t.close());

  const list = async (query: string, token = staff) =>
    (await request(t.http).get(`/customers?${query}`).set(bearer(token)).expect(200)).body as {
      items: CustomerBody[];
      nextCursor: string | null;
    };

  it('lists customers by domain with users, active accounts and active managers', async () => {
    const page = await list(`search=${tag}`);
    expect(page).toEqual({
      items: [
        { domain: alpha.domain, name: 'Alpha Learning', users: 5, activeAccounts: 3, managers: 2 },
        { domain: beta.domain, name: beta.name, users: 1, activeAccounts: 1, managers: 1 },
        { domain: gamma.domain, name: gamma.name, users: 0, activeAccounts: 0, managers: 0 },
      ],
      nextCursor: null,
    });
  });

  it('searches domain or name as a substring in any case, with % and _ taken literally', async () => {
    expect((await list(`search=${tag.toUpperCase()}-BETA`)).items.map((c) => c.domain)).toEqual([
      beta.domain,
    ]);
    // Only beta's name carries the tag in upper case; the others match by domain.
    expect((await list(`search=${encodeURIComponent(`beta ${tag}`)}`)).items.map((c) => c.domain)).toEqual([
      beta.domain,
    ]);
    expect((await list(`search=${encodeURIComponent('100%_off')}`)).items.map((c) => c.domain)).toEqual([
      gamma.domain,
    ]);
    expect((await list(`search=${encodeURIComponent('100%')}`)).items.map((c) => c.domain)).toEqual([
      gamma.domain,
    ]);
    expect((await list(`search=${encodeURIComponent('1_0')}`)).items).toEqual([]);
  });

  it('pages with nextCursor in a constant number of SQL statements', async () => {
    const domains: string[][] = [];
    const counts: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/customers?search=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const { result, queries } = await captureQueries(
        t.knex,
        async () => await request(t.http).get(url).set(bearer(staff)).expect(200),
      );
      domains.push(result.body.items.map((c: CustomerBody) => c.domain));
      counts.push(queries.length);
      cursor = result.body.nextCursor;
    } while (cursor);
    expect(domains).toEqual([[alpha.domain, beta.domain], [gamma.domain]]);
    // One for the token, one for the page.
    expect(counts).toEqual([2, 2]);
    const all = await captureQueries(
      t.knex,
      async () => await request(t.http).get('/customers?limit=200').set(bearer(staff)).expect(200),
    );
    expect(all.result.body.items.length).toBeGreaterThanOrEqual(3);
    expect(all.queries).toHaveLength(2);
  });

  it('refuses a bad limit or cursor with 400 and one line', async () => {
    for (const query of ['limit=0', 'limit=201', 'cursor=nonsense', 'limit=abc']) {
      const res = await request(t.http).get(`/customers?${query}`).set(bearer(staff)).expect(400);
      expect(res.body.message).not.toContain('\n');
    }
  });

  it('shows a site token its own customer only', async () => {
    expect((await list('', siteToken)).items.map((c) => c.domain)).toEqual([beta.domain]);
    expect((await list(`search=${tag}-alpha`, siteToken)).items).toEqual([]);
    const own = await request(t.http).get(`/customers/${beta.domain}`).set(bearer(siteToken)).expect(200);
    expect(own.body).toEqual({
      domain: beta.domain,
      name: beta.name,
      users: 1,
      activeAccounts: 1,
      managers: 1,
    });
    const other = await request(t.http).get(`/customers/${alpha.domain}`).set(bearer(siteToken)).expect(404);
    const unknown = await request(t.http)
      .get(`/customers/nowhere-${tag}.example.com`)
      .set(bearer(siteToken))
      .expect(404);
    // The same answer for another's and for none: nothing learnt about alpha.
    expect(other.body).toEqual({
      statusCode: 404,
      error: 'NOT_FOUND',
      message: `No customer has the domain "${alpha.domain}".`,
    });
    expect(unknown.body.message).toBe(`No customer has the domain "nowhere-${tag}.example.com".`);
    const managers = await request(t.http)
      .get(`/customers/${alpha.domain}/managers`)
      .set(bearer(siteToken))
      .expect(404);
    expect(managers.body).toEqual(other.body);
    expect(JSON.stringify(managers.body)).not.toContain('zoe@');
  });

  it('gets one customer, case-insensitively, and 404s an unknown one', async () => {
    const res = await request(t.http)
      .get(`/customers/${alpha.domain.toUpperCase()}`)
      .set(bearer(staff))
      .expect(200);
    expect(res.body).toEqual({
      domain: alpha.domain,
      name: 'Alpha Learning',
      users: 5,
      activeAccounts: 3,
      managers: 2,
    });
    const unknown = await request(t.http)
      .get(`/customers/nowhere-${tag}.example.com`)
      .set(bearer(staff))
      .expect(404);
    expect(unknown.body.error).toBe('CUSTOMER_NOT_FOUND');
    await request(t.http).get('/customers/not%20a%20domain').set(bearer(staff)).expect(400);
  });

  it("lists a customer's managers, active or not, sorted by address", async () => {
    const res = await request(t.http)
      .get(`/customers/${alpha.domain}/managers`)
      .set(bearer(staff))
      .expect(200);
    expect(res.body).toEqual({
      items: [
        { email: `ann@${alpha.domain}`, name: 'Ann A', active: true },
        { email: `old@${alpha.domain}`, name: expect.any(String), active: false },
        { email: `zoe@${alpha.domain}`, name: 'Zoe Z', active: true },
      ],
    });
    const own = await request(t.http)
      .get(`/customers/${beta.domain}/managers`)
      .set(bearer(siteToken))
      .expect(200);
    expect(own.body.items).toHaveLength(1);
    await request(t.http)
      .get(`/customers/nowhere-${tag}.example.com/managers`)
      .set(bearer(staff))
      .expect(404);
    await request(t.http).get(`/customers/${alpha.domain}/managers`).expect(401);
  });
});
