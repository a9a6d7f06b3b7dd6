import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { RunRepository } from '@spotlight/core';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';

describeEachDatabase('export history', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    staff = await createToken(db, { staff: true });
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('filters the history by source, and refuses an unknown source with 400', async () => {
    const runs = new RunRepository(db.knex);
    const at = new Date();
    const base = { customer: site.domain, recipient: manager.email, since: null, until: null };
    const cli = await runs.insertFinished({
      ...base,
      status: 'failed',
      source: 'cli',
      operator: 'support',
      summary: null,
      error: 'boom',
      errorCode: 'UNEXPECTED',
      startedAt: at,
      finishedAt: at,
      durationMs: 1,
    });
    const scheduled = await runs.insertQueued(
      { ...base, source: 'schedule', tokenId: null, scheduleId: 999, dueAt: at },
      at,
    );
    const api = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email })
      .expect(202);

    const ids = async (source: string) =>
      (
        await request(t.http)
          .get(`/exports?customer=${site.domain}&source=${source}`)
          .set(bearer(staff))
          .expect(200)
      ).body.items.map((item: { id: number; source: string }) => [item.id, item.source]);
    expect(await ids('cli')).toEqual([[cli, 'cli']]);
    expect(await ids('schedule')).toEqual([[scheduled!.id, 'schedule']]);
    expect(await ids('api')).toEqual([[api.body.id, 'api']]);

    const bad = await request(t.http).get('/exports?source=cron').set(bearer(staff)).expect(400);
    expect(bad.body.message).toMatch(/source must be cli, api or schedule/);
  });
});
