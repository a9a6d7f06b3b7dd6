import { TokenRepository, TokenService } from '@spotlight/core';
import { generateCustomer } from '@spotlight/seed';
import { createTestDatabase, enabledDialects, type TestDatabase } from '@spotlight/core/testing';
import { SmtpCapture, TcpProxy } from '@spotlight/testing';
import { startServer, type ServerProcess } from '../__fixtures__/server-process';

// A proxy the test controls between the server and its database: MariaDB only.
const onMariaDb = enabledDialects().includes('mariadb') ? describe : describe.skip;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SQL = /select |insert |update .* set |delete from /i;

interface RunRow {
  id: number;
  status: string;
  attempts: number;
  error: string | null;
  error_code: string | null;
  claimed_by: string | null;
}

onMariaDb('background exports when MariaDB misbehaves [mariadb]', () => {
  let db: TestDatabase;
  let smtp: SmtpCapture;
  let proxy: TcpProxy;
  let token: string;
  let customer: { domain: string; manager: string };
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    smtp = await SmtpCapture.start();
    token = (await new TokenService(new TokenRepository(db.knex)).create({ staff: true })).token;
    const report = await generateCustomer(db.knex, { users: 1_000, noiseSites: 0 });
    customer = { domain: report.site.domain, manager: report.managerEmail };
  }, 60_000);
  afterAll(async () => {
    await smtp?.stop();
    await db?.drop();
  });
  beforeEach(async () => {
    proxy = await TcpProxy.start({ port: Number(new URL(db.url).port || 3306) });
    smtp.clear();
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    }
    await proxy.stop();
  });

  const start = async (env: Record<string, string>, id = 'instance-a') => {
    const server = await startServer({
      DATABASE_URL: proxy.mysqlUrl(db.url),
      SMTP_URL: smtp.url,
      SPOTLIGHT_INSTANCE_ID: id,
      SPOTLIGHT_WORKER_POLL_MS: '100',
      SPOTLIGHT_RUN_LEASE_MS: '3000',
      SPOTLIGHT_MAIL_RETRY_BASE_MS: '200',
      SPOTLIGHT_DB_IDLE_TIMEOUT_MS: '1500',
      ...env,
    });
    servers.push(server);
    return server;
  };

  const queue = async (server: ServerProcess, since: string): Promise<number> => {
    const res = await fetch(`${server.url}/exports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ customer: customer.domain, recipient: customer.manager, since }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: number }).id;
  };

  /** The run as the database has it, read directly (not through the proxy). */
  const runRow = async (id: number): Promise<RunRow> => db.knex('spotlight_export_run').where({ id }).first();

  const until = async (id: number, done: (run: RunRow) => boolean, ms: number): Promise<RunRow> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const run = await runRow(id);
      if (done(run)) return run;
      if (Date.now() > deadline) throw new Error(`run ${id} is still ${JSON.stringify(run)} after ${ms} ms`);
      await sleep(100);
    }
  };

  const shownError = async (server: ServerProcess, id: number): Promise<unknown> => {
    const res = await fetch(`${server.url}/exports/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    return ((await res.json()) as { error: unknown }).error;
  };

  it('fails the attempt whose query hangs, retries it and sends one email', async () => {
    const server = await start({ SPOTLIGHT_MAIL_MAX_ATTEMPTS: '3' });
    proxy.breakWhenClientSends('UNION ALL', 'stall');
    const id = await queue(server, '2020-01-01');
    const run = await until(id, (r) => r.status === 'sent' || r.status === 'failed', 20_000);
    expect(run).toMatchObject({ status: 'sent', attempts: 2, error: null });
    await sleep(300);
    expect(smtp.messages).toHaveLength(1);
    expect(server.output()).toMatch(/Attempt 1 of 3 failed.*sent nothing for 1\.5 s/);
  });

  it('fails the run after its last attempt with a one-line reason and a code, no SQL', async () => {
    const server = await start({ SPOTLIGHT_MAIL_MAX_ATTEMPTS: '1' });
    proxy.breakWhenClientSends('UNION ALL', 'stall');
    const id = await queue(server, '2020-01-02');
    const run = await until(id, (r) => r.status !== 'queued' && r.status !== 'running', 20_000);
    expect(run).toMatchObject({
      status: 'failed',
      attempts: 1,
      error_code: 'DATABASE_UNAVAILABLE',
      error: expect.stringMatching(/^Gave up after 1 attempts: Cannot use the database at .*sent nothing/),
    });
    expect(run.error).not.toMatch(SQL);
    expect(await shownError(server, id)).toBe(run.error);
    expect(smtp.messages).toHaveLength(0);
  });

  it('exits within the shutdown grace on SIGTERM during a hang; another instance sends the run once its lease lapses', async () => {
    const grace = 1_000;
    const first = await start({
      SPOTLIGHT_DB_IDLE_TIMEOUT_MS: '60000',
      SPOTLIGHT_SHUTDOWN_GRACE_MS: String(grace),
    });
    proxy.breakWhenClientSends('UNION ALL', 'stall');
    const id = await queue(first, '2020-01-03');
    await until(id, (r) => r.status === 'running', 10_000);
    await sleep(500);
    const stopped = Date.now();
    const exit = await Promise.race([first.stop(), sleep(grace + 5_000).then(() => 'still running')]);
    const stopMs = Date.now() - stopped;
    console.log(`[mariadb] SIGTERM during a hung query: ${JSON.stringify(exit)} after ${stopMs} ms`);
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    // Abandoned, not judged: neither sent nor failed by the instance that stopped.
    expect(await runRow(id)).toMatchObject({ status: 'running', claimed_by: 'instance-a' });

    const second = await start({}, 'instance-b');
    const run = await until(id, (r) => r.status === 'sent' || r.status === 'failed', 20_000);
    expect(run).toMatchObject({ status: 'sent', attempts: 2, claimed_by: 'instance-b' });
    await sleep(300);
    expect(smtp.messages).toHaveLength(1);
    await second.stop();
  });

  it('records a delivered run as sent when recording it fails once, never as failed', async () => {
    const server = await start({ SPOTLIGHT_MAIL_MAX_ATTEMPTS: '3' });
    // The connection drops under the statement that records the run as sent.
    proxy.breakWhenClientSends("set `status` = 'sent'", 'cut');
    const id = await queue(server, '2020-01-04');
    const run = await until(id, (r) => r.status === 'sent' || r.status === 'failed', 20_000);
    expect(run).toMatchObject({ status: 'sent', attempts: 1, error: null });
    await sleep(300);
    expect(smtp.messages).toHaveLength(1);
    expect(await shownError(server, id)).toBeNull();
  });

  it('records a delivered run as sent after a database outage longer than a few seconds, within its lease', async () => {
    const held = await SmtpCapture.start({ holdData: true });
    try {
      const server = await start({ SMTP_URL: held.url, SPOTLIGHT_RUN_LEASE_MS: '20000' });
      const id = await queue(server, '2020-01-05');
      await until(id, (r) => r.status === 'running', 10_000);
      const deadline = Date.now() + 20_000;
      while (held.dataStarted === 0 && Date.now() < deadline) await sleep(50);
      expect(held.dataStarted).toBe(1);
      // The database goes away while the mail server has the message, and stays away for 10 s.
      proxy.refuseNew(true);
      proxy.cut();
      held.releaseHeld();
      await held.waitFor(1);
      await sleep(10_000);
      expect(await runRow(id)).toMatchObject({ status: 'running' });
      proxy.refuseNew(false);
      const run = await until(id, (r) => r.status !== 'running', 10_000);
      expect(run).toMatchObject({ status: 'sent', attempts: 1, error: null });
      expect(held.messages).toHaveLength(1);
    } finally {
      await held.stop();
    }
  }, 60_000);
});
