import fs from 'node:fs';
import { generateCustomer } from '@spotlight/seed';
import { createTestDatabase, enabledDialects, type TestDatabase } from '@spotlight/core/testing';
import { SmtpCapture, TcpProxy } from '@spotlight/testing';
import { filesBelow, runCli, tempDir } from '../../__fixtures__/run-cli';

// A proxy between the CLI and the database only makes sense for a database server.
const onMariaDb = enabledDialects().includes('mariadb') ? describe : describe.skip;

const IDLE_MS = 2_000;
const CONNECT_MS = 1_500;

onMariaDb('spotlight export user-activity when MariaDB dies mid-export [mariadb]', () => {
  let db: TestDatabase;
  let smtp: SmtpCapture;
  let proxy: TcpProxy;
  let tmp: string;
  let customer: { domain: string; manager: string };

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    smtp = await SmtpCapture.start();
    // Enough users that the streamed result is far longer than the handshake and the guard.
    const report = await generateCustomer(db.knex, { users: 2_000, noiseSites: 0 });
    customer = { domain: report.site.domain, manager: report.managerEmail };
  }, 60_000);
  afterAll(async () => {
    await smtp?.stop();
    await db?.drop();
  });
  beforeEach(async () => {
    proxy = await TcpProxy.start({ port: Number(new URL(db.url).port || 3306) });
    tmp = tempDir();
    smtp.clear();
  });
  afterEach(async () => {
    await proxy.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Transactions the server still holds open on the test database, seen from the harness's own connection. */
  const openTransactions = async (): Promise<number> => {
    const [rows] = await db.knex.raw(
      `SELECT COUNT(*) AS n FROM information_schema.innodb_trx t
       JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
       WHERE p.db = DATABASE() AND p.id <> CONNECTION_ID()`,
    );
    return Number(rows[0].n);
  };

  const exportThroughProxy = async (idleMs = IDLE_MS) => {
    const started = Date.now();
    const run = await runCli(
      ['export', 'user-activity', '-c', customer.domain, '-e', customer.manager],
      {
        DATABASE_URL: proxy.mysqlUrl(db.url),
        SMTP_URL: smtp.url,
        TMPDIR: tmp,
        SPOTLIGHT_DB_IDLE_TIMEOUT_MS: String(idleMs),
        SPOTLIGHT_DB_CONNECT_TIMEOUT_MS: String(CONNECT_MS),
      },
      30_000,
    );
    return { ...run, elapsedMs: Date.now() - started };
  };

  const expectCleanFailure = async (
    run: Awaited<ReturnType<typeof exportThroughProxy>>,
    boundMs: number,
    reason: RegExp,
  ) => {
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 6, stdout: '' });
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(reason)]);
    expect(run.stderr).toMatch(/^Error: Cannot use the database at mysql:\/\/root@127\.0\.0\.1:\d+\/\w+: /);
    expect(run.elapsedMs).toBeLessThan(boundMs);
    // Nothing left behind: the scratch folders lived in TMPDIR (the private scratch root stays, empty).
    expect(filesBelow(tmp)).toEqual([]);
    // Once the network lets the server see the client's close, nothing of it stays open there.
    proxy.resume();
    const deadline = Date.now() + 5_000;
    while ((await openTransactions()) > 0 && Date.now() < deadline) await sleep(100);
    expect(await openTransactions()).toBe(0);
    await sleep(200);
    expect(smtp.messages).toHaveLength(0);
  };

  it('exits 6 at once when the connection is cut while rows stream', async () => {
    proxy.breakAfterServerBytes(60_000, 'cut');
    // A long idle bound, so that only noticing the cut itself ends the export within the test's bound
    // (a loaded machine takes a second or two just to start the CLI).
    const run = await exportThroughProxy(30_000);
    console.log(`[mariadb] cut mid-stream: exit ${run.code} after ${run.elapsedMs} ms: ${run.stderr.trim()}`);
    await expectCleanFailure(run, 10_000, /Connection lost|ECONNRESET/);
  });

  it('exits 6 once the database has been silent for SPOTLIGHT_DB_IDLE_TIMEOUT_MS mid-stream', async () => {
    proxy.breakAfterServerBytes(60_000, 'stall');
    const run = await exportThroughProxy();
    console.log(
      `[mariadb] stall mid-stream: exit ${run.code} after ${run.elapsedMs} ms: ${run.stderr.trim()}`,
    );
    expect(run.elapsedMs).toBeGreaterThanOrEqual(IDLE_MS);
    await expectCleanFailure(run, IDLE_MS + 15_000, /sent nothing for 2 s/);
  });

  it.each([
    ['the activity query', 'UNION ALL'],
    ['the recipient guard', 'django_site'],
  ])('exits 6 when %s never answers', async (_what, marker) => {
    proxy.breakWhenClientSends(marker, 'stall');
    const run = await exportThroughProxy();
    console.log(`[mariadb] stall after sending ${_what}: exit ${run.code} after ${run.elapsedMs} ms`);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(IDLE_MS);
    await expectCleanFailure(run, IDLE_MS + 15_000, /sent nothing for 2 s/);
  });

  it('exits 6 when the database accepts the connection but never greets', async () => {
    proxy.stall();
    const run = await exportThroughProxy();
    console.log(`[mariadb] stall before the handshake: exit ${run.code} after ${run.elapsedMs} ms`);
    await expectCleanFailure(run, CONNECT_MS + 15_000, /connect ETIMEDOUT/);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
