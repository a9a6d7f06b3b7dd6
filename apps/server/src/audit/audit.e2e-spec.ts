import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { TokenRepository, TokenService } from '@spotlight/core';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';

describeEachDatabase('audit trail', (db) => {
  let t: TestApp;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    t = await startTestApp(db, null);
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
  });
  afterAll(async () => {
    await t.close();
  });

  /** A staff token and its id, to filter the trail by. */
  const staffWithId = async () => {
    const created = await new TokenService(new TokenRepository(db.knex)).create({ staff: true });
    return { id: created.record.id, secret: created.token };
  };

  it('pages a staff token through the trail newest first, filtered by token and action', async () => {
    const asker = await staffWithId();
    const queued: number[] = [];
    for (const since of ['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01']) {
      const res = await request(t.http)
        .post('/exports')
        .set(bearer(asker.secret))
        .send({ customer: site.domain, recipient: manager.email, since })
        .expect(202);
      queued.push(res.body.id);
    }
    const schedule = await request(t.http)
      .post('/schedules')
      .set(bearer(asker.secret))
      .send({ customer: site.domain, recipient: manager.email, cron: '0 7 * * 1', timeZone: 'UTC' })
      .expect(201);
    const reader = await createToken(db, { staff: true });

    const targets: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.http)
        .get('/audit')
        .query({ tokenId: asker.id, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(reader))
        .expect(200);
      pages += 1;
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const item of res.body.items) {
        expect(item).toMatchObject({ id: expect.any(Number), tokenId: asker.id, at: expect.any(String) });
        targets.push(`${item.action} ${item.target}`);
      }
      cursor = res.body.nextCursor;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(targets).toEqual([
      `schedule.create schedule:${schedule.body.id}`,
      ...queued.reverse().map((id) => `export.queue run:${id}`),
    ]);

    const creations = await request(t.http)
      .get('/audit')
      .query({ tokenId: asker.id, action: 'schedule.create' })
      .set(bearer(reader))
      .expect(200);
    expect(creations.body).toEqual({
      items: [
        {
          id: expect.any(Number),
          at: expect.any(String),
          tokenId: asker.id,
          action: 'schedule.create',
          target: `schedule:${schedule.body.id}`,
          detail: expect.objectContaining({
            customer: site.domain,
            recipient: manager.email,
            cron: '0 7 * * 1',
          }),
        },
      ],
      nextCursor: null,
    });
    expect(Date.now() - new Date(creations.body.items[0].at).getTime()).toBeLessThan(60_000);

    const everyone = await request(t.http).get('/audit?limit=200').set(bearer(reader)).expect(200);
    const ids = everyone.body.items.map((item: { id: number }) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses a site token with 403 and the JSON error shape, even for its own site', async () => {
    const siteToken = await createToken(db, { site: site.domain });
    const res = await request(t.http).get('/audit').set(bearer(siteToken)).expect(403);
    expect(res.body).toEqual({
      statusCode: 403,
      error: 'FORBIDDEN',
      message: expect.stringContaining('staff token'),
    });
    await request(t.http).get('/audit').expect(401);
  });

  it.each([
    ['cursor=nonsense', /cursor "nonsense" is not one this API returned/],
    ['tokenId=abc', /tokenId must be a token id/],
    ['limit=0', /limit must not be less than 1/],
    ['action=DROP%20TABLE', /action must look like schedule.pause/],
  ])('answers 400 for %s', async (query, message) => {
    const staff = await createToken(db, { staff: true });
    const res = await request(t.http).get(`/audit?${query}`).set(bearer(staff)).expect(400);
    expect(res.body.message).toMatch(message);
  });
});
