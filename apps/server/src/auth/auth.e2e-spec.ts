import request from 'supertest';
import { TokenRepository, TokenService } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';

describeEachDatabase('API authentication', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let own: SiteRow;
  let other: SiteRow;
  let ownManager: UserRow;
  let otherManager: UserRow;
  let siteToken: string;
  let staffToken: string;
  let revokedToken: string;
  let otherRunId: number;
  let otherScheduleId: number;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    own = await db.factory.site();
    other = await db.factory.site();
    ownManager = await db.factory.manager({ site: own });
    otherManager = await db.factory.manager({ site: other });
    siteToken = await createToken(db, { site: own.domain });
    staffToken = await createToken(db, { staff: true });
    const service = new TokenService(new TokenRepository(db.knex));
    const revoked = await service.create({ staff: true });
    revokedToken = revoked.token;
    await service.revoke(String(revoked.record.id));

    const run = await request(t.http)
      .post('/exports')
      .set(bearer(staffToken))
      .send({ customer: other.domain, recipient: otherManager.email })
      .expect(202);
    otherRunId = run.body.id;
    const schedule = await request(t.http)
      .post('/schedules')
      .set(bearer(staffToken))
      .send({
        customer: other.domain,
        recipient: otherManager.email,
        cron: '0 7 * * 1',
        timeZone: 'Europe/Berlin',
      })
      .expect(201);
    otherScheduleId = schedule.body.id;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const endpoints = (): Array<[string, () => request.Test]> => [
    ['GET /exports', () => request(t.http).get('/exports')],
    ['GET /exports/:id', () => request(t.http).get(`/exports/${otherRunId}`)],
    [
      'POST /exports',
      () => request(t.http).post('/exports').send({ customer: own.domain, recipient: ownManager.email }),
    ],
    ['GET download', () => request(t.http).get(`/customers/${own.domain}/user-activity.xlsx`)],
    ['GET /schedules', () => request(t.http).get('/schedules')],
    ['DELETE /schedules/:id', () => request(t.http).delete(`/schedules/${otherScheduleId}`)],
  ];

  it('answers 401 with no token, a malformed header, an unknown token and a revoked token, on every endpoint', async () => {
    for (const [name, call] of endpoints()) {
      const cases: Array<[string, Record<string, string>]> = [
        ['no token', {}],
        ['not bearer', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
        ['unknown token', bearer('spx_thisIsNotARealTokenAtAll0000000000000000')],
        ['tampered token', bearer(`${staffToken.slice(0, -2)}xx`)],
        ['revoked token', bearer(revokedToken)],
      ];
      for (const [label, headers] of cases) {
        const res = await call().set(headers);
        expect({ name, label, status: res.status }).toEqual({ name, label, status: 401 });
        expect(res.body.message).toMatch(/token/);
      }
    }
    expect(await db.knex('spotlight_export_schedule').where({ id: otherScheduleId }).first()).toBeDefined();
  });

  it("answers 404 to a site token on another site's resources, as if they were absent", async () => {
    const absent = async (call: request.Test) => {
      const res = await call.set(bearer(siteToken));
      expect(res.status).toBe(404);
      return (res.body.message as string).replace(/the id \d+/, 'the id N');
    };
    expect(await absent(request(t.http).get(`/exports/${otherRunId}`))).toBe(
      await absent(request(t.http).get('/exports/999999')),
    );
    expect(
      await absent(
        request(t.http).post('/exports').send({ customer: other.domain, recipient: otherManager.email }),
      ),
    ).toBe(`No customer has the domain "${other.domain}".`);
    expect(
      await absent(
        request(t.http)
          .post('/exports')
          .send({ customer: 'nowhere.example.org', recipient: otherManager.email }),
      ),
    ).toBe('No customer has the domain "nowhere.example.org".');
    await absent(request(t.http).get(`/customers/${other.domain}/user-activity.xlsx`));
    expect(await absent(request(t.http).get(`/schedules/${otherScheduleId}`))).toBe(
      await absent(request(t.http).get('/schedules/999999')),
    );
    await absent(request(t.http).patch(`/schedules/${otherScheduleId}`).send({ enabled: false }));
    await absent(request(t.http).delete(`/schedules/${otherScheduleId}`));
    await absent(
      request(t.http)
        .post('/schedules')
        .send({ customer: other.domain, recipient: otherManager.email, cron: '0 7 * * 1', timeZone: 'UTC' }),
    );
    const list = await request(t.http)
      .get(`/exports?customer=${other.domain}`)
      .set(bearer(siteToken))
      .expect(200);
    expect(list.body.items).toEqual([]);
    const mine = await request(t.http).get('/exports').set(bearer(siteToken)).expect(200);
    expect(mine.body.items.map((item: { customer: string }) => item.customer)).not.toContain(other.domain);
    const schedules = await request(t.http).get('/schedules').set(bearer(siteToken)).expect(200);
    expect(schedules.body.items).toEqual([]);
    const kept = await db.knex('spotlight_export_schedule').where({ id: otherScheduleId }).first();
    expect(Boolean(Number(kept.enabled))).toBe(true);
  });

  it('lets a site token use its own site and a staff token every site, and records who asked', async () => {
    const queued = await request(t.http)
      .post('/exports')
      .set(bearer(siteToken))
      .send({ customer: own.domain, recipient: ownManager.email })
      .expect(202);
    await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(siteToken)).expect(200);
    const mine = await request(t.http).get('/exports').set(bearer(siteToken)).expect(200);
    expect(mine.body.items.map((item: { id: number }) => item.id)).toEqual([queued.body.id]);
    await request(t.http)
      .get(`/customers/${own.domain}/user-activity.xlsx`)
      .set(bearer(siteToken))
      .expect(200);
    const schedule = await request(t.http)
      .post('/schedules')
      .set(bearer(siteToken))
      .send({ customer: own.domain, recipient: ownManager.email, cron: '0 7 * * 1', timeZone: 'UTC' })
      .expect(201);
    await request(t.http).get(`/schedules/${schedule.body.id}`).set(bearer(siteToken)).expect(200);

    await request(t.http).get(`/exports/${otherRunId}`).set(bearer(staffToken)).expect(200);
    await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(staffToken)).expect(200);
    await request(t.http)
      .get(`/customers/${other.domain}/user-activity.xlsx`)
      .set(bearer(staffToken))
      .expect(200);

    const siteTokenId = (await db.knex('spotlight_export_token').where({ site_domain: own.domain }).first())
      .id;
    const audit = await db.knex('spotlight_export_audit').where({ token_id: siteTokenId }).orderBy('id');
    expect(audit.map((entry: { action: string }) => entry.action)).toEqual([
      'export.queue',
      'export.download',
      'schedule.create',
    ]);
    const run = await db.knex('spotlight_export_run').where({ id: queued.body.id }).first();
    expect(Number(run.token_id)).toBe(Number(siteTokenId));
  });

  it('serves health and the OpenAPI document without a token', async () => {
    const health = await request(t.http).get('/health').expect(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      database: { primary: 'ok' },
      mail: { configured: true },
    });
    const docs = await request(t.http).get('/docs-json').expect(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/exports',
        '/exports/{id}',
        '/customers/{domain}/user-activity.xlsx',
        '/schedules',
        '/schedules/{id}',
        '/health',
      ]),
    );
    await request(t.http).get('/docs').expect(200);
  });
});
