import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ExportLockRepository, createCoreServices, loadCoreSettings } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture, TcpProxy } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ExportRunner } from '../runs/export-runner.service';

/** A question to the API about `asked`: an address, a domain or an id. */
type Probe = [route: string, call: (asked: string) => request.Test];

/** What a client sees of an answer, with the asked value (echoed in messages) put aside. */
function seen(res: request.Response, asked: string) {
  const escaped = asked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = JSON.stringify(res.body).replace(
    new RegExp(`(?<![\\w.@-])${escaped}(?![\\w@-])`, 'gi'),
    '<asked>',
  );
  return { status: res.status, contentType: res.headers['content-type'] as string | undefined, body };
}

/** A port nothing listens on: its connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeEachDatabase('what a site token learns about other customers', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let own: SiteRow;
  let other: SiteRow;
  let ownManager: UserRow;
  let otherManager: UserRow;
  let otherInactiveManager: UserRow;
  let otherUser: UserRow;
  let siteToken: string;
  let staffToken: string;
  let ownScheduleId: number;
  let otherRunId: number;
  let otherScheduleId: number;
  let otherTokenId: number;
  const absentDomain = 'absent-customer.example.net';
  const absentAddress = 'nobody-at-all@absent-customer.example.net';

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    own = await db.factory.site();
    other = await db.factory.site();
    ownManager = await db.factory.manager({ site: own });
    otherManager = await db.factory.manager({ site: other });
    otherInactiveManager = await db.factory.manager({ site: other, is_active: false });
    otherUser = await db.factory.user({ site: other });
    siteToken = await createToken(db, { site: own.domain });
    staffToken = await createToken(db, { staff: true });
    await createToken(db, { site: other.domain });
    otherTokenId = Number((await db.knex('spotlight_export_token').max('id as id').first())!.id);

    const ownSchedule = await request(t.http)
      .post('/schedules')
      .set(bearer(siteToken))
      .send({ customer: own.domain, recipient: ownManager.email, cron: '0 7 * * 1', timeZone: 'UTC' })
      .expect(201);
    ownScheduleId = ownSchedule.body.id;
    const otherRun = await request(t.http)
      .post('/exports')
      .set(bearer(staffToken))
      .send({ customer: other.domain, recipient: otherManager.email })
      .expect(202);
    otherRunId = otherRun.body.id;
    const otherSchedule = await request(t.http)
      .post('/schedules')
      .set(bearer(staffToken))
      .send({ customer: other.domain, recipient: otherManager.email, cron: '0 7 * * 1', timeZone: 'UTC' })
      .expect(201);
    otherScheduleId = otherSchedule.body.id;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const asSite = (test: request.Test) => test.set(bearer(siteToken));
  const schedule = { cron: '0 7 * * 1', timeZone: 'UTC' };

  /** Every route that takes an address, asked with the site's own customer. */
  const addressProbes = (): Probe[] => [
    [
      'POST /exports',
      (address) =>
        asSite(request(t.http).post('/exports').send({ customer: own.domain, recipient: address })),
    ],
    [
      'POST /schedules',
      (address) =>
        asSite(
          request(t.http)
            .post('/schedules')
            .send({ customer: own.domain, recipient: address, ...schedule }),
        ),
    ],
    [
      'PATCH /schedules/:id',
      (address) => asSite(request(t.http).patch(`/schedules/${ownScheduleId}`).send({ recipient: address })),
    ],
  ];

  /** Every route that takes a customer's domain. */
  const domainProbes = (): Probe[] => [
    [
      'POST /exports',
      (domain) =>
        asSite(request(t.http).post('/exports').send({ customer: domain, recipient: otherManager.email })),
    ],
    [
      'GET /customers/:domain/user-activity.xlsx',
      (domain) => asSite(request(t.http).get(`/customers/${domain}/user-activity.xlsx`)),
    ],
    [
      'GET /exports?customer=',
      (domain) => asSite(request(t.http).get('/exports').query({ customer: domain })),
    ],
    [
      'GET /schedules?customer=',
      (domain) => asSite(request(t.http).get('/schedules').query({ customer: domain })),
    ],
    [
      'POST /schedules',
      (domain) =>
        asSite(
          request(t.http)
            .post('/schedules')
            .send({ customer: domain, recipient: otherManager.email, ...schedule }),
        ),
    ],
    [
      'PATCH /schedules/:id',
      (domain) => asSite(request(t.http).patch(`/schedules/${ownScheduleId}`).send({ customer: domain })),
    ],
  ];

  /** Every route that takes a run's id. */
  const runIdProbes = (): Probe[] => [
    ['GET /exports/:id', (id) => asSite(request(t.http).get(`/exports/${id}`))],
  ];

  /** Every route that takes a schedule's id. */
  const scheduleIdProbes = (): Probe[] => [
    ['GET /schedules/:id', (id) => asSite(request(t.http).get(`/schedules/${id}`))],
    [
      'PATCH /schedules/:id',
      (id) => asSite(request(t.http).patch(`/schedules/${id}`).send({ enabled: false })),
    ],
    [
      'PATCH /schedules/:id (recipient)',
      (id) => asSite(request(t.http).patch(`/schedules/${id}`).send({ recipient: ownManager.email })),
    ],
    ['DELETE /schedules/:id', (id) => asSite(request(t.http).delete(`/schedules/${id}`))],
  ];

  /** Every route that takes a token's id. */
  const tokenIdProbes = (): Probe[] => [
    ['GET /audit?tokenId=', (id) => asSite(request(t.http).get('/audit').query({ tokenId: id }))],
  ];

  it("answers about another customer's addresses, domain and ids exactly as about ones that do not exist", async () => {
    const comparisons: Array<[Probe[], string[], string]> = [
      [addressProbes(), [otherManager.email, otherInactiveManager.email, otherUser.email], absentAddress],
      [domainProbes(), [other.domain, other.domain.toUpperCase()], absentDomain],
      [runIdProbes(), [String(otherRunId)], '987654321'],
      [scheduleIdProbes(), [String(otherScheduleId)], '987654321'],
      [tokenIdProbes(), [String(otherTokenId)], '987654321'],
    ];
    let compared = 0;
    const routes = new Set<string>();
    for (const [probes, theirs, absent] of comparisons) {
      for (const [route, call] of probes) {
        const nobody = seen(await call(absent), absent);
        for (const asked of theirs) {
          expect({ route, asked, ...seen(await call(asked), asked) }).toEqual({ route, asked, ...nobody });
          compared += 1;
        }
        routes.add(route.replace(/ \(.*\)$/, ''));
      }
    }
    // The figure the tests report: how many routes and how many questions were compared.
    expect({ routes: routes.size, compared }).toEqual({ routes: 10, compared: 27 });

    // Nothing was changed by any of those questions.
    const kept = await db.knex('spotlight_export_schedule').where({ id: otherScheduleId }).first();
    expect(Boolean(Number(kept.enabled))).toBe(true);
    const mine = await request(t.http).get(`/schedules/${ownScheduleId}`).set(bearer(siteToken)).expect(200);
    expect(mine.body).toMatchObject({ customer: own.domain, recipient: ownManager.email, enabled: true });
    expect(await db.knex('spotlight_export_run').where({ customer: own.domain })).toEqual([]);
  });

  it('tells a site token one line about a recipient who is not an active manager of its customer', async () => {
    const refused = await request(t.http)
      .post('/exports')
      .set(bearer(siteToken))
      .send({ customer: own.domain, recipient: otherManager.email })
      .expect(422);
    expect(refused.body).toEqual({
      statusCode: 422,
      error: 'RECIPIENT_NOT_ALLOWED',
      message: expect.stringMatching(
        new RegExp(`^${otherManager.email} is not an active manager of ${own.domain}; [^\\n]+$`),
      ),
    });
    expect(refused.body.message).not.toContain(other.domain);
    // A staff token, like the CLI, keeps the detail.
    const staff = await request(t.http)
      .post('/exports')
      .set(bearer(staffToken))
      .send({ customer: own.domain, recipient: otherInactiveManager.email })
      .expect(422);
    expect(staff.body.message).toContain(`manages ${other.domain}, not ${own.domain}`);
  });

  it("shows a site token its history without the operator's account, host, pid, the mail server or other customers", async () => {
    const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'spotlight-tenant-'));
    const smtpUrl = `smtp://127.0.0.1:${await closedPort()}`;
    // The CLI's own services: its exports are recorded in the history the server shows.
    const cli = createCoreServices(
      loadCoreSettings({ DATABASE_URL: db.url, SMTP_URL: smtpUrl, SPOTLIGHT_DATA_DIR: dataDir }),
    );
    const mover = await db.factory.manager({ site: own });
    const runner = t.app.get(ExportRunner);
    /** Runs queued exports (another customer's too) until the one with this id has had its turn. */
    const runUntil = async (id: number) => {
      for (let turn = 0; turn < 10; turn += 1) {
        const ran = await runner.runNext();
        if (!ran || ran.id === id) return ran;
      }
      throw new Error(`run ${id} was not claimed in 10 turns`);
    };
    const queue = async (recipient: string) =>
      (
        await request(t.http)
          .post('/exports')
          .set(bearer(siteToken))
          .send({ customer: own.domain, recipient })
          .expect(202)
      ).body.id as number;
    try {
      // A manager who moved to another customer: the guard at run time names it.
      const moved = await queue(mover.email);
      await db.knex('central_user').where({ id: mover.id }).update({ site_id: other.id });
      expect(await runUntil(moved)).toMatchObject({ status: 'failed', errorCode: 'RECIPIENT_NOT_ALLOWED' });

      const cliExport = () =>
        cli.exports.exportToEmail(
          { customer: own.domain, recipient: ownManager.email },
          { holder: 'cli: lockholder', record: { source: 'cli', operator: 'lockholder' } },
        );
      const held = await new ExportLockRepository(db.knex).acquire(own.domain, 'cli: lockholder', new Date());
      await expect(cliExport()).rejects.toMatchObject({ code: 'EXPORT_IN_PROGRESS' });
      // The server's run meets the same lock and waits.
      const waiting = await queue(ownManager.email);
      expect(await runUntil(waiting)).toMatchObject({
        status: 'queued',
        error: expect.stringMatching(/lockholder/),
      });
      await held.release();
      await expect(cliExport()).rejects.toMatchObject({ code: 'MAIL_FAILED' });
    } finally {
      await cli.close();
      await fs.promises.rm(dataDir, { recursive: true, force: true });
    }

    const internals = [
      'lockholder',
      os.hostname(),
      `pid ${process.pid}`,
      smtpUrl.replace('smtp://', ''),
      other.domain,
    ];
    const staff = await request(t.http)
      .get('/exports')
      .query({ customer: own.domain })
      .set(bearer(staffToken))
      .expect(200);
    const staffText = JSON.stringify(staff.body);
    // The detail is there, for staff: these are the words a site token must not read.
    for (const word of [
      'lockholder',
      os.hostname(),
      `pid ${process.pid}`,
      smtpUrl.replace('smtp://', ''),
      other.domain,
    ])
      expect(staffText).toContain(word);

    const site = await request(t.http).get('/exports').set(bearer(siteToken)).expect(200);
    const siteText = JSON.stringify(site.body);
    for (const word of internals)
      expect({ word, seen: siteText.includes(word) }).toEqual({ word, seen: false });
    const errors = (
      site.body.items as Array<{ id: number; source: string; operator: string | null; error: string | null }>
    ).map((item) => [item.source, item.operator, item.error]);
    expect(errors).toEqual([
      ['cli', null, 'The email could not be sent; try again later, and ask support if it keeps failing.'],
      ['api', null, expect.stringMatching(/^Not sent yet; the export will be tried again at \S+Z\.$/)],
      ['cli', null, `Another export of ${own.domain} was running; wait for it to finish, then ask again.`],
      [
        'api',
        null,
        `${mover.email} is not an active manager of ${own.domain}; exports go to its active managers.`,
      ],
    ]);
    for (const item of site.body.items as Array<{ id: number }>) {
      const one = await request(t.http).get(`/exports/${item.id}`).set(bearer(siteToken)).expect(200);
      expect(one.body).toEqual(site.body.items.find((each: { id: number }) => each.id === item.id));
    }
  });

  it('tells a site token, or a token it cannot verify, that the database cannot be used without naming it', async () => {
    const unavailable = {
      statusCode: 503,
      error: 'DATABASE_UNAVAILABLE',
      message: 'The database cannot be used right now; try again in a minute.',
    };
    const ask = (app: TestApp, token: string) =>
      request(app.http)
        .post('/exports')
        .set(bearer(token))
        .send({ customer: own.domain, recipient: ownManager.email });
    if (db.dialect === 'mariadb') {
      // The app reaches MariaDB through a proxy that the test then stops: tokens cannot be verified.
      const url = new URL(db.url);
      const proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 3306) });
      const cut = await startTestApp({ ...db, url: proxy.mysqlUrl(db.url) }, smtp);
      try {
        await request(cut.http).get('/exports').set(bearer(siteToken)).expect(200);
        await request(cut.http).get('/exports').set(bearer(staffToken)).expect(200);
        await proxy.stop();
        const site = await ask(cut, siteToken).expect(503);
        expect(site.body).toEqual(unavailable);
        const unverified = await ask(cut, 'spx_neverSeenByThisServer000000000000000000').expect(503);
        expect(unverified.body).toEqual(unavailable);
        const staff = await ask(cut, staffToken).expect(503);
        expect(staff.body.message).toMatch(/^Cannot use the database at mysql:\/\/.*ECONNREFUSED/);
      } finally {
        await cut.close();
      }
    } else {
      // SQLite cannot go away under an open connection; another writer holding the lock is its outage.
      // The token is used first, so that verifying it again writes nothing; each locked write
      // waits out SQLite's busy timeout, and http-errors.e2e-spec.ts shows a staff token the detail.
      await request(t.http).get('/exports').set(bearer(siteToken)).expect(200);
      const trx = await db.knex.transaction();
      try {
        await trx('spotlight_export_audit').insert({ action: 'test.lock', target: 'none', at: new Date() });
        const site = await ask(t, siteToken).expect(503);
        expect(site.body).toEqual(unavailable);
      } finally {
        await trx.rollback();
      }
    }
  }, 30_000);

  it('takes ids in decimal digits only, and refuses a customer filter that is not a domain', async () => {
    await request(t.http).get(`/exports/${otherRunId}`).set(bearer(staffToken)).expect(200);
    await request(t.http).get(`/schedules/${otherScheduleId}`).set(bearer(staffToken)).expect(200);
    const spellings = (id: number) => [
      `0x${id.toString(16)}`,
      `${id}e0`,
      `${id}.0`,
      `+${id}`,
      `0${id}`,
      `%20${id}`,
      `${id}%20`,
      `0b${id.toString(2)}`,
      `${id}abc`,
    ];
    const routes: Array<[string, (id: string) => request.Test]> = [
      ['GET /exports/:id', (id) => request(t.http).get(`/exports/${id}`)],
      ['GET /schedules/:id', (id) => request(t.http).get(`/schedules/${id}`)],
      ['PATCH /schedules/:id', (id) => request(t.http).patch(`/schedules/${id}`).send({ enabled: true })],
      ['DELETE /schedules/:id', (id) => request(t.http).delete(`/schedules/${id}`)],
    ];
    for (const [route, call] of routes) {
      const id = route.startsWith('GET /exports') ? otherRunId : otherScheduleId;
      for (const spelling of spellings(id)) {
        const res = await call(spelling).set(bearer(staffToken));
        expect({ route, spelling, status: res.status, error: res.body.error }).toEqual({
          route,
          spelling,
          status: 400,
          error: 'INVALID_INPUT',
        });
        expect(res.body.message).toMatch(/^id "[^"]+" is not an id: give a whole number like 42\.$/);
      }
    }
    expect(await db.knex('spotlight_export_schedule').where({ id: otherScheduleId }).first()).toBeDefined();
    const audit = await request(t.http)
      .get('/audit')
      .query({ tokenId: '0x1' })
      .set(bearer(staffToken))
      .expect(400);
    expect(audit.body.message).toMatch(/tokenId must be a token id, a whole number/);

    for (const list of ['/exports', '/schedules']) {
      for (const customer of [`${other.domain}.`, 'acme.example.', '', ' ']) {
        const res = await request(t.http).get(list).query({ customer }).set(bearer(staffToken));
        expect({ list, customer, status: res.status }).toEqual({ list, customer, status: 400 });
        expect(res.body.message).toMatch(/is not a customer domain like example\.com\.$/);
      }
      const listed = await request(t.http)
        .get(list)
        .query({ customer: ` ${other.domain.toUpperCase()} ` })
        .set(bearer(staffToken))
        .expect(200);
      expect(listed.body.items.length).toBeGreaterThan(0);
    }
  });
});
