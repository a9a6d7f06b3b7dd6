import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture, TcpProxy } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';

describeEachDatabase('HTTP answers', (db) => {
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

  it('answers a 5 MB body with 413 in the usual JSON shape, and malformed JSON still with 400', async () => {
    const big = JSON.stringify({
      customer: site.domain,
      recipient: manager.email,
      note: 'x'.repeat(5_000_000),
    });
    const res = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .set('Content-Type', 'application/json')
      .send(big)
      .expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      statusCode: 413,
      error: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/larger than 100\.0 KiB/),
    });
    const broken = await request(t.http)
      .post('/schedules')
      .set(bearer(staff))
      .set('Content-Type', 'application/json')
      .send('{"customer": ')
      .expect(400);
    expect(broken.body).toMatchObject({ statusCode: 400, error: 'BAD_REQUEST' });
    expect(await db.knex('spotlight_export_run').where({ customer: site.domain })).toEqual([]);
  });

  it('names request fields, not command-line flags, in validation messages', async () => {
    const res = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email, since: '2026-05-01', until: '2026-04-01' })
      .expect(400);
    expect(res.body.message).toBe('since must be earlier than until.');
    const download = await request(t.http)
      .get(`/customers/${site.domain}/user-activity.xlsx?since=2026-02-30`)
      .set(bearer(staff))
      .expect(400);
    expect(download.body.message).toMatch(/^since "2026-02-30" is not a date/);
    expect(`${res.body.message} ${download.body.message}`).not.toContain('--');
  });

  it('answers 503 DATABASE_UNAVAILABLE, as /health does, when the database cannot be used', async () => {
    if (db.dialect === 'mariadb') {
      // The app reaches MariaDB through a proxy that the test then stops; the shared server keeps running.
      const url = new URL(db.url);
      const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 3306) });
      const cut = await startTestApp({ ...db, url: proxy.mysqlUrl(db.url) }, smtp);
      try {
        await request(cut.http).get('/exports').set(bearer(staff)).expect(200);
        await proxy.stop();
        const queued = await request(cut.http)
          .post('/exports')
          .set(bearer(staff))
          .send({ customer: site.domain, recipient: manager.email })
          .expect(503);
        expect(queued.body).toMatchObject({ statusCode: 503, error: 'DATABASE_UNAVAILABLE' });
        expect(queued.body.message).toMatch(/^Cannot use the database at mysql:\/\/.*ECONNREFUSED/);
        await request(cut.http).get('/schedules').set(bearer(staff)).expect(503);
        await request(cut.http).get('/health').expect(503);
      } finally {
        await cut.close();
      }
    } else {
      // SQLite cannot go away under an open connection; another writer holding the lock is its outage.
      const trx = await db.knex.transaction();
      try {
        await trx('spotlight_export_audit').insert({ action: 'test.lock', target: 'none', at: new Date() });
        const queued = await request(t.http)
          .post('/exports')
          .set(bearer(staff))
          .send({ customer: site.domain, recipient: manager.email })
          .expect(503);
        expect(queued.body).toMatchObject({ statusCode: 503, error: 'DATABASE_UNAVAILABLE' });
        expect(queued.body.message).toMatch(/^Cannot use the database at sqlite:.*database is locked/);
      } finally {
        await trx.rollback();
      }
      await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email })
        .expect(202);
    }
  }, 30_000);
});
