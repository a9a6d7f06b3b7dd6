import request from 'supertest';
import { TokenRepository, TokenService } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, cliSchedules, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ExportRunner } from '../runs/export-runner.service';

// What the console shows on each schedule's card: why it is paused, since
// when and by whom, and how its last run ended, for a site token too.
describeEachDatabase('a schedule says why it is paused and how its last run ended', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let staff: string;
  let staffId: number;
  let siteToken: string;
  let site: SiteRow;
  let manager: UserRow;
  let runner: ExportRunner;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    runner = t.app.get(ExportRunner);
    const created = await new TokenService(new TokenRepository(db.knex)).create({ staff: true });
    staff = created.token;
    staffId = created.record.id;
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
    siteToken = await createToken(db, { site: site.domain });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const cli = () => cliSchedules(t);
  const create = async (body: Record<string, unknown> = {}) =>
    (
      await request(t.http)
        .post('/schedules')
        .set(bearer(staff))
        .send({
          customer: site.domain,
          recipient: manager.email,
          cron: '0 7 * * 1',
          timeZone: 'UTC',
          ...body,
        })
        .expect(201)
    ).body as { id: number; pause: unknown; lastRun: unknown; description: string };
  const read = async (id: number, token = staff) =>
    (await request(t.http).get(`/schedules/${id}`).set(bearer(token)).expect(200)).body as Record<
      string,
      unknown
    >;
  const recent = (iso: unknown) => {
    const age = Date.now() - new Date(String(iso)).getTime();
    return age >= 0 && age < 60_000;
  };

  it('names the token that paused it through the API, and when; an enabled schedule has no pause', async () => {
    const schedule = await create({ windowDays: 7 });
    expect(schedule).toMatchObject({ pause: null, lastRun: null, description: 'At 07:00, only on Monday' });

    const patched = await request(t.http)
      .patch(`/schedules/${schedule.id}`)
      .set(bearer(staff))
      .send({ enabled: false })
      .expect(200);
    expect(patched.body.pause).toEqual({
      by: 'token',
      tokenId: staffId,
      reason: null,
      at: expect.any(String),
    });
    expect(recent(patched.body.pause.at)).toBe(true);
    // The customer's own token sees why too.
    expect((await read(schedule.id, siteToken)).pause).toEqual(patched.body.pause);

    await request(t.http)
      .patch(`/schedules/${schedule.id}`)
      .set(bearer(staff))
      .send({ enabled: true })
      .expect(200);
    expect((await read(schedule.id)).pause).toBeNull();

    const createdPaused = await create({ enabled: false, cron: '0 8 * * 1' });
    expect(createdPaused.pause).toEqual({
      by: 'token',
      tokenId: staffId,
      reason: null,
      at: expect.any(String),
    });
  });

  it("gives support's reason when the CLI paused it, and the newest pause after a resume and a second pause", async () => {
    const schedule = await create({ cron: '0 9 * * 2' });
    const control = cli();
    await control.pause((await control.find(schedule.id))!, 'jane', 'the customer asked for a break');
    expect((await read(schedule.id)).pause).toEqual({
      by: 'support',
      tokenId: null,
      reason: 'the customer asked for a break',
      at: expect.any(String),
    });

    await control.resume((await control.find(schedule.id))!, 'jane');
    expect((await read(schedule.id)).pause).toBeNull();
    await control.pause((await control.find(schedule.id))!, 'jane', null);
    expect((await read(schedule.id, siteToken)).pause).toEqual({
      by: 'support',
      tokenId: null,
      reason: null,
      at: expect.any(String),
    });
  });

  it('gives each schedule its newest run, as GET /exports/{id} shows it, in the list a site token reads', async () => {
    const twice = await create({ cron: '0 10 * * 3' });
    const never = await create({ cron: '0 11 * * 3' });
    const runIds: number[] = [];
    for (let i = 0; i < 2; i++) {
      const queued = await request(t.http).post(`/schedules/${twice.id}/run`).set(bearer(staff)).expect(202);
      runIds.push(queued.body.id as number);
      expect(await runner.runNext()).toMatchObject({ id: queued.body.id, status: 'sent' });
    }
    const newest = await request(t.http).get(`/exports/${runIds[1]}`).set(bearer(siteToken)).expect(200);

    const list = await request(t.http).get('/schedules').set(bearer(siteToken)).expect(200);
    const items = list.body.items as Array<{ id: number; lastRun: unknown }>;
    expect(items.find((item) => item.id === twice.id)!.lastRun).toEqual(newest.body);
    expect(items.find((item) => item.id === never.id)!.lastRun).toBeNull();
    expect((await read(twice.id)).lastRun).toEqual(newest.body);
  });
});
