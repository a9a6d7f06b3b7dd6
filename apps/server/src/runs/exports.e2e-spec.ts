import type { Stream } from 'node:stream';
import request from 'supertest';
import {
  describeEachDatabase,
  captureQueries,
  assertNumQueries,
  type SiteRow,
  type UserRow,
} from '@spotlight/core/testing';
import { SmtpCapture, readWorkbook } from '@spotlight/testing';
import { XLSX_CONTENT_TYPE } from '@spotlight/core';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';
import { ExportRunner } from './export-runner.service';

function binary(res: Stream, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describeEachDatabase('exports API', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;
  let runner: ExportRunner;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    runner = t.app.get(ExportRunner);
    staff = await createToken(db, { staff: true });
    ({ site, manager } = await siteWithActivity(db.factory, 6));
    // The old tool's fault: another manager, with another address, processed last.
    await db.factory.manager({ site, email: 'zz-other-manager@example.com' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  it('queues an export with 202, emails the workbook to that manager only, and reports it', async () => {
    const queued = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain.toUpperCase(), recipient: ` ${manager.email.toUpperCase()} ` })
      .expect(202);
    expect(queued.body).toEqual({ id: expect.any(Number), status: 'queued', existing: false });
    expect(queued.headers.location).toBe(`/exports/${queued.body.id}`);

    const before = await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(staff)).expect(200);
    expect(before.body).toMatchObject({
      status: 'queued',
      customer: site.domain,
      recipient: manager.email,
      source: 'api',
    });

    const run = await runner.runNext();
    expect(run).toMatchObject({ id: queued.body.id, status: 'sent' });
    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    expect(message.mail.cc).toBeUndefined();
    const book = await readWorkbook(message.mail.attachments[0].content);
    expect(book.sheetNames).toEqual(['Summary', 'Active users', 'Inactive users', 'Communities']);

    const after = await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(staff)).expect(200);
    expect(after.body).toMatchObject({
      status: 'sent',
      attempts: 1,
      error: null,
      counts: { active: expect.any(Number), inactive: expect.any(Number) },
      bytes: message.mail.attachments[0].size,
    });
    expect(after.body.counts.active + after.body.counts.inactive).toBe(7);
    expect(after.body.queries).toBeGreaterThan(0);
    expect(after.body.timings.finishedAt).not.toBeNull();
    expect(await runner.runNext()).toBeNull();
    expect(smtp.messages).toHaveLength(1);
  });

  it('answers a pending duplicate with the same id, and a different range with a new one', async () => {
    const body = {
      customer: site.domain,
      recipient: manager.email,
      since: '2026-01-01',
      until: '2026-06-30',
    };
    const first = await request(t.http).post('/exports').set(bearer(staff)).send(body).expect(202);
    const again = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ ...body, recipient: manager.email.toUpperCase() })
      .expect(202);
    expect(again.body).toEqual({ id: first.body.id, status: 'queued', existing: true });
    const other = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ ...body, since: '2026-02-01' })
      .expect(202);
    expect(other.body.id).not.toBe(first.body.id);

    await runner.runNext();
    await runner.runNext();
    await smtp.waitFor(2);
    // Once sent, the same request is a new export again.
    const later = await request(t.http).post('/exports').set(bearer(staff)).send(body).expect(202);
    expect(later.body.existing).toBe(false);
    expect(later.body.id).not.toBe(first.body.id);
    await runner.runNext();
    await smtp.waitFor(3);
  });

  it.each([
    [{ recipient: 'a@example.com' }, /customer/],
    [{ customer: 'example.com', recipient: 'not-an-address' }, /recipient must be an email address/],
    [{ customer: 'example.com', recipient: 'a@example.com', since: 'last week' }, /since must be YYYY-MM-DD/],
    [
      { customer: 'example.com', recipient: 'a@example.com', cc: 'b@example.com' },
      /property cc should not exist/,
    ],
    [{ customer: 'bad domain!', recipient: 'a@example.com' }, /not a customer domain/],
    [
      { customer: 'example.com', recipient: 'a@example.com', since: '2026-05-01', until: '2026-04-01' },
      /^since must be earlier than until\.$/,
    ],
    [
      { customer: 'example.com', recipient: 'a@example.com', timeZone: 'Mars/Base' },
      /^timeZone "Mars\/Base" is not a time zone: use an IANA name such as Europe\/Paris, or UTC\.$/,
    ],
    // A template whose variable was empty must not become an export of all time.
    [{ customer: 'example.com', recipient: 'a@example.com', since: '' }, /since must be YYYY-MM-DD/],
    [{ customer: 'example.com', recipient: 'a@example.com', until: ' ' }, /until must be YYYY-MM-DD/],
    [{ customer: 'example.com', recipient: 'a@example.com', timeZone: '' }, /timeZone should not be empty/],
    ...[' ', 'Jane\nBcc: x@evil.test', 'J'.repeat(201), 7].map((requestedBy): [object, RegExp] => [
      { customer: 'example.com', recipient: 'a@example.com', requestedBy },
      /^requestedBy must be one line of at most 200 characters/,
    ]),
  ])('rejects bad input %j with a 400 that says what is wrong', async (body, message) => {
    const res = await request(t.http).post('/exports').set(bearer(staff)).send(body).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it('takes a time zone: bare dates are its days, and the run and its email show dates in it', async () => {
    const queued = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({
        customer: site.domain,
        recipient: manager.email,
        since: '2026-01-01',
        timeZone: 'America/New_York',
      })
      .expect(202);
    const view = await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(staff)).expect(200);
    expect(view.body).toMatchObject({ timeZone: 'America/New_York', since: '2026-01-01T05:00:00.000Z' });
    expect(await runner.runNext()).toMatchObject({ id: queued.body.id, status: 'sent' });
    const [message] = await smtp.waitFor(1);
    expect(message.mail.subject).toMatch(/\(from 1 January 2026\)$/);
    expect(message.mail.text).toContain('Period: from 1 January 2026, dates in America/New_York');
    const book = await readWorkbook(message.mail.attachments[0].content);
    expect(book.rows('Active users')[0]).toContain('Last login (America/New_York)');
  });

  it('compares a quarter with the one before: a Summary block, the Lapsed users sheet and the email say who lapsed', async () => {
    // The site's activity is all from June 2026: in Q3 every active user of Q2 has lapsed.
    const queued = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email, since: '2026-07-01', until: '2026-09-30' })
      .expect(202);
    expect(await runner.runNext()).toMatchObject({ id: queued.body.id, status: 'sent' });
    const [message] = await smtp.waitFor(1);
    const book = await readWorkbook(message.mail.attachments[0].content);
    expect(book.sheetNames).toEqual([
      'Summary',
      'Active users',
      'Inactive users',
      'Lapsed users',
      'Communities',
    ]);
    const lapsed = book.rows('Lapsed users');
    expect(lapsed[0]).toEqual([
      'Email',
      'First name',
      'Last name',
      'Account',
      'Level in the previous period',
      'Last login (UTC)',
    ]);
    expect(lapsed.length - 1).toBeGreaterThan(0);
    expect(lapsed.slice(1).map((row) => row[4])).toContain('Creator');
    const summary = book.rows('Summary').map((row) => row.slice(0, 2));
    const at = summary.findIndex((row) => row[0] === 'Change since Q2 2026');
    expect(summary.slice(at, at + 5)).toEqual([
      ['Change since Q2 2026', 'Users'],
      ['New', 0],
      ['Retained', 0],
      ['Lapsed', lapsed.length - 1],
      ['Idle in both', book.rows('Inactive users').length - lapsed.length],
    ]);
    expect(message.mail.text).toContain(
      `Lapsed: ${lapsed.length - 1} (active in Q2 2026, not in this period)`,
    );
  });

  it('names a person in the email only when requestedBy asks, else "Spotlight support", never an account', async () => {
    const asked = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({
        customer: site.domain,
        recipient: manager.email,
        since: '2024-01-01',
        requestedBy: ' Jane Doe, Spotlight support ',
      })
      .expect(202);
    const unnamed = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email, since: '2024-02-01' })
      .expect(202);
    expect(await runner.runNext()).toMatchObject({ id: asked.body.id, status: 'sent' });
    expect(await runner.runNext()).toMatchObject({ id: unnamed.body.id, status: 'sent' });
    const [named, plain] = await smtp.waitFor(2);
    expect(named.mail.text).toMatch(/^Requested by Jane Doe, Spotlight support\. It is sent once/m);
    expect(plain.mail.text).toMatch(/^Requested by Spotlight support\. It is sent once/m);
    const view = await request(t.http).get(`/exports/${asked.body.id}`).set(bearer(staff)).expect(200);
    expect(view.body).toMatchObject({ requestedBy: 'Jane Doe, Spotlight support', operator: null });
  });

  it("names the attached workbook after its period, in days of the export's time zone", async () => {
    const queued = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({
        customer: site.domain,
        recipient: manager.email,
        since: '2025-04-01',
        until: '2025-06-30',
        timeZone: 'Europe/Paris',
      })
      .expect(202);
    expect(await runner.runNext()).toMatchObject({ id: queued.body.id, status: 'sent' });
    const [message] = await smtp.waitFor(1);
    const name = `user-activity-${site.domain}-2025-04-01-to-2025-06-30.xlsx`;
    expect(message.mail.attachments.map((attachment) => attachment.filename)).toEqual([name]);
    expect(message.mail.text).toContain(`The workbook ${name} is attached`);
  });

  it('refuses a recipient who is not an active manager of that customer with 422, and an unknown customer with 404', async () => {
    const user = await db.factory.user({ site });
    const refused = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: user.email })
      .expect(422);
    expect(refused.body).toMatchObject({
      error: 'RECIPIENT_NOT_ALLOWED',
      message: expect.stringContaining('not a manager'),
    });
    const elsewhere = await db.factory.site();
    const otherManager = await db.factory.manager({ site: elsewhere });
    const crossSite = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: otherManager.email })
      .expect(422);
    expect(crossSite.body.message).toContain(`manages ${elsewhere.domain}`);
    await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: 'nobody.example.org', recipient: manager.email })
      .expect(404);
    expect(await runner.runNext()).toBeNull();
  });

  it('checks the recipient again at run time: a manager who lost the role gets nothing and the run says why', async () => {
    const demoted = await db.factory.manager({ site });
    const queued = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: demoted.email })
      .expect(202);
    await db.knex('central_user').where({ id: demoted.id }).update({ is_manager: false });
    const run = await runner.runNext();
    expect(run).toMatchObject({ status: 'failed', error: expect.stringContaining('not a manager') });
    const shown = await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(staff)).expect(200);
    expect(shown.body).toMatchObject({ status: 'failed', error: expect.stringContaining(demoted.email) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(0);
  });

  it('pages through history newest first with a constant number of queries per page', async () => {
    const history = await db.factory.site();
    const boss = await db.factory.manager({ site: history });
    const ids: number[] = [];
    for (let i = 1; i <= 5; i += 1) {
      const res = await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: history.domain, recipient: boss.email, since: `2026-0${i}-01` })
        .expect(202);
      ids.push(res.body.id);
    }
    const pages: number[][] = [];
    const counts: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/exports?customer=${history.domain}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const { result: res, queries } = await captureQueries(
        t.knex,
        async () => await request(t.http).get(url).set(bearer(staff)).expect(200),
      );
      pages.push(res.body.items.map((item: { id: number }) => item.id));
      counts.push(queries.length);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);
    // One query for the token, one for the page, whatever the page.
    expect(counts).toEqual([2, 2, 2]);
    const big = await captureQueries(
      t.knex,
      async () => await request(t.http).get(`/exports?limit=100`).set(bearer(staff)).expect(200),
    );
    expect(big.queries).toHaveLength(2);

    const queuedOnly = await request(t.http)
      .get(`/exports?customer=${history.domain}&status=sent`)
      .set(bearer(staff))
      .expect(200);
    expect(queuedOnly.body).toEqual({ items: [], nextCursor: null });
    await request(t.http).get('/exports?limit=0').set(bearer(staff)).expect(400);
    await request(t.http).get('/exports?status=done').set(bearer(staff)).expect(400);
    await request(t.http).get('/exports?cursor=nonsense').set(bearer(staff)).expect(400);
    while (await runner.runNext());
    await smtp.waitFor(5);
  });

  it('streams the workbook as a download with no email', async () => {
    const res = await request(t.http)
      .get(`/customers/${site.domain}/user-activity.xlsx?since=2020-01-01`)
      .set(bearer(staff))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).toBe(XLSX_CONTENT_TYPE);
    // Open-ended: the period runs to the day the workbook was made.
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="user-activity-${site.domain}-2020-01-01-to-${new Date().toISOString().slice(0, 10)}.xlsx"`,
    );
    const quarter = await request(t.http)
      .get(
        `/customers/${site.domain}/user-activity.xlsx?since=2025-04-01&until=2025-06-30&timeZone=Europe/Paris`,
      )
      .set(bearer(staff))
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(quarter.headers['content-disposition']).toBe(
      `attachment; filename="user-activity-${site.domain}-2025-04-01-to-2025-06-30.xlsx"`,
    );
    const book = await readWorkbook(res.body as Buffer);
    expect(book.sheetNames).toEqual(['Summary', 'Active users', 'Inactive users', 'Communities']);
    expect(book.rows('Active users').length + book.rows('Inactive users').length).toBeGreaterThanOrEqual(
      7 + 2,
    );
    expect(smtp.messages).toHaveLength(0);

    const missing = await request(t.http)
      .get('/customers/nobody.example.org/user-activity.xlsx')
      .set(bearer(staff))
      .expect(404);
    expect(missing.body).toMatchObject({ error: 'CUSTOMER_NOT_FOUND' });
    await request(t.http)
      .get(`/customers/${site.domain}/user-activity.xlsx?until=tomorrow`)
      .set(bearer(staff))
      .expect(400);
  });

  it('runs the same number of queries for an export and a download of 1 user and of 300 users', async () => {
    const small = await siteWithActivity(db.factory, 1);
    const large = await siteWithActivity(db.factory, 300);
    const measure = async (target: { site: SiteRow; manager: UserRow }) => {
      const queue = await captureQueries(
        t.knex,
        async () =>
          await request(t.http)
            .post('/exports')
            .set(bearer(staff))
            .send({ customer: target.site.domain, recipient: target.manager.email })
            .expect(202),
      );
      const run = await captureQueries(t.knex, () => runner.runNext());
      expect(run.result).toMatchObject({ status: 'sent' });
      const download = await captureQueries(
        t.knex,
        async () =>
          await request(t.http)
            .get(`/customers/${target.site.domain}/user-activity.xlsx`)
            .set(bearer(staff))
            .buffer(true)
            .parse(binary)
            .expect(200),
      );
      return {
        queue: queue.queries.length,
        run: run.queries.length,
        download: download.queries.length,
        export: run.result!.queries,
      };
    };
    const one = await measure(small);
    const many = await measure(large);
    console.log(
      `[${db.dialect}] queries for 1 user: ${JSON.stringify(one)}; for 300 users: ${JSON.stringify(many)}`,
    );
    expect(many).toEqual(one);
    // The export's own statements: lock, snapshot (BEGIN, guard, activity,
    // communities, COMMIT), "delivery started", unlock; MySQL adds SET
    // TRANSACTION and takes and releases a named lock. The run adds the claim
    // (an abandoned-run probe, then a due-run probe) and recording the outcome.
    // The download reads the same snapshot, unlocked.
    expect(one).toEqual(
      db.dialect === 'mariadb'
        ? { queue: 7, run: 19, download: 8, export: 11 }
        : { queue: 6, run: 13, download: 7, export: 8 },
    );
    await assertNumQueries(
      t.knex,
      one.download,
      async () =>
        await request(t.http)
          .get(`/customers/${large.site.domain}/user-activity.xlsx`)
          .set(bearer(staff))
          .buffer(true)
          .parse(binary)
          .expect(200),
    );
    const [, big] = await smtp.waitFor(2);
    const book = await readWorkbook(big.mail.attachments[0].content);
    expect(book.rows('Active users').length - 1 + book.rows('Inactive users').length - 1).toBe(300);
  });
});
