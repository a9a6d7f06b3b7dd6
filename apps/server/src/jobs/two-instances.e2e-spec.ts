import { TokenRepository, TokenService } from '@spotlight/core';
import {
  createTestDatabase,
  enabledDialects,
  type TestDatabase,
  type UserRow,
} from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { startServer, type ServerProcess } from '../__fixtures__/server-process';

// Several instances only make sense against a shared server database.
const onMariaDb = enabledDialects().includes('mariadb') ? describe : describe.skip;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

onMariaDb('two server processes on one MariaDB database [mariadb]', () => {
  let db: TestDatabase;
  let smtp: SmtpCapture;
  let servers: ServerProcess[] = [];
  let token: string;
  const managers: UserRow[] = [];
  const scheduleIds: number[] = [];

  const api = async (server: ServerProcess, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    smtp = await SmtpCapture.start();
    token = (await new TokenService(new TokenRepository(db.knex)).create({ staff: true })).token;
    for (let i = 0; i < 4; i += 1) {
      const site = await db.factory.site();
      managers.push(await db.factory.manager({ site }));
      await db.factory.user({ site });
    }
    const env = (id: string) => ({
      DATABASE_URL: db.url,
      SMTP_URL: smtp.url,
      SPOTLIGHT_INSTANCE_ID: id,
      SPOTLIGHT_SCHEDULER_TICK_MS: '150',
      SPOTLIGHT_WORKER_POLL_MS: '100',
      // Four claimers per instance: eight at once race for every run.
      SPOTLIGHT_WORKER_CONCURRENCY: '4',
    });
    servers = await Promise.all([startServer(env('instance-a')), startServer(env('instance-b'))]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await smtp.stop();
    await db.drop();
  });

  it('sends exactly one email per due time of each schedule, whichever instance claims it', async () => {
    // Rare due times, so that none comes round during the test: each catch-up is one known due time.
    const crons: Array<[string, string]> = [
      ['0 0 1 1 *', 'UTC'],
      ['0 0 29 2 *', 'Europe/Berlin'],
      ['15 10 1 6 *', 'America/New_York'],
      ['0 0 1 1 *', 'Asia/Tokyo'],
      ['30 4 2 1 *', 'Australia/Sydney'],
      ['0 12 1 7 *', 'Europe/London'],
      ['45 23 31 12 *', 'America/Los_Angeles'],
      ['0 3 15 3 *', 'Asia/Kolkata'],
    ];
    for (const [i, [cron, timeZone]] of crons.entries()) {
      const manager = managers[i % managers.length];
      const customer = manager.email
        ? (await db.knex('django_site').where({ id: manager.site_id }).first()).domain
        : '';
      const schedule = await api(servers[i % 2], 'POST', '/schedules', {
        customer,
        recipient: manager.email,
        cron,
        timeZone,
        windowDays: 365,
      });
      scheduleIds.push(schedule.id);
    }
    // Every schedule missed years of due times at once, as if all instances had been down.
    await db
      .knex('spotlight_export_schedule')
      .whereIn('id', scheduleIds)
      .update({ next_due_at: new Date(Date.now() - 5 * 365 * 86_400_000) });

    await smtp.waitFor(crons.length, 30_000);
    await sleep(2_000);
    const runs = await db.knex('spotlight_export_run').whereIn('schedule_id', scheduleIds);
    console.log(
      `[mariadb] two instances: ${smtp.messages.length} emails received for ${crons.length} due times; claimed by ${JSON.stringify(
        runs.reduce(
          (by: Record<string, number>, run: { claimed_by: string }) => ({
            ...by,
            [run.claimed_by]: (by[run.claimed_by] ?? 0) + 1,
          }),
          {},
        ),
      )}`,
    );
    expect(smtp.messages).toHaveLength(crons.length);
    expect(runs).toHaveLength(crons.length);
    expect(runs.map((run: { status: string }) => run.status)).toEqual(crons.map(() => 'sent'));
    expect(new Set(runs.map((run: { schedule_id: number }) => run.schedule_id)).size).toBe(crons.length);
    const expectedTo = runs.map((run: { recipient: string }) => run.recipient).sort();
    expect(smtp.messages.map((message) => message.envelope.to.join(',')).sort()).toEqual(expectedTo);

    // The same due times again, as a crash between queuing a run and moving the
    // schedule on would leave them: the unique key on (schedule, due time) admits no second run.
    smtp.clear();
    for (const run of runs) {
      await db
        .knex('spotlight_export_schedule')
        .where({ id: run.schedule_id })
        .update({ next_due_at: run.due_at });
    }
    await sleep(2_000);
    expect(smtp.messages).toHaveLength(0);
    expect(await db.knex('spotlight_export_run').whereIn('schedule_id', scheduleIds)).toHaveLength(
      crons.length,
    );
  });

  it('runs each queued export once when both instances poll the same queue', async () => {
    smtp.clear();
    const ids = new Set<number>();
    const requests = [];
    for (let i = 0; i < 24; i += 1) {
      const manager = managers[i % managers.length];
      const customer = (await db.knex('django_site').where({ id: manager.site_id }).first()).domain;
      requests.push(
        api(servers[i % 2], 'POST', '/exports', {
          customer,
          recipient: manager.email,
          since: `2020-01-${String(i + 1).padStart(2, '0')}`,
        }),
      );
    }
    for (const queued of await Promise.all(requests)) ids.add(queued.id);
    expect(ids.size).toBe(24);
    await smtp.waitFor(24, 30_000);
    await sleep(1_500);
    expect(smtp.messages).toHaveLength(24);
    const runs = await db.knex('spotlight_export_run').whereIn('id', [...ids]);
    expect(runs.map((run: { status: string; attempts: number }) => `${run.status}/${run.attempts}`)).toEqual(
      [...ids].map(() => 'sent/1'),
    );
  });

  it('stops both instances cleanly on SIGTERM', async () => {
    const exits = await Promise.all(servers.map((server) => server.stop()));
    // Nest runs the shutdown hooks, then ends the process with the signal it got.
    expect(exits).toEqual([
      { code: null, signal: 'SIGTERM' },
      { code: null, signal: 'SIGTERM' },
    ]);
    for (const server of servers) expect(server.output()).not.toMatch(/ERROR/);
  });
});
