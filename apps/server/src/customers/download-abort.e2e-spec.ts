import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeEachDatabase, type SiteRow, type TestDatabase } from '@spotlight/core/testing';
import { ExportService } from '@spotlight/core';
import { readWorkbook } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithManyMembers } from '../__fixtures__/activity';
import { DownloadLimiter } from './download-limiter';

// Enough rows that a download takes a few hundred milliseconds: still streaming when the client goes.
const USERS = 4_000;
const ANSWER_MS = 5_000;

async function listen(t: TestApp): Promise<string> {
  await new Promise<void>((resolve) => t.http.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;
}

/**
 * Starts a download and destroys the socket as soon as the headers, or the
 * first bytes, arrive. Resolves with the status; rejects when nothing answers.
 */
function abortedDownload(url: string, token: string, when: 'headers' | 'first-bytes'): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: bearer(token), agent: false });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer within ${ANSWER_MS} ms`));
    }, ANSWER_MS);
    const done = (status: number) => {
      clearTimeout(timer);
      request.destroy();
      resolve(status);
    };
    request.on('error', () => undefined);
    request.on('response', (response) => {
      if (response.statusCode !== 200 || when === 'headers') return done(response.statusCode!);
      response.once('data', () => done(200));
    });
  });
}

async function download(
  url: string,
  token: string,
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, { headers: bearer(token), signal: AbortSignal.timeout(ANSWER_MS * 2) });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** Transactions and busy connections of the server on this database, seen from outside it. */
async function openWork(
  db: TestDatabase,
  t: TestApp,
): Promise<{ downloads: number; poolUsed: number; transactions: number; busy: string[] }> {
  const downloads = t.app.get(DownloadLimiter).inProgress;
  const poolUsed = (t.knex.client.pool as { numUsed(): number }).numUsed();
  if (db.dialect !== 'mariadb') return { downloads, poolUsed, transactions: 0, busy: [] };
  const [processes] = await db.knex.raw(
    `SELECT id, command, state FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()`,
  );
  const ours = new Set((processes as Array<{ id: number }>).map((process) => Number(process.id)));
  // information_schema.innodb_trx is a cache that MariaDB may serve stale; the status lists live transactions.
  const [[status]] = await db.knex.raw('SHOW ENGINE INNODB STATUS');
  const active = [
    ...(status.Status as string).matchAll(/---TRANSACTION [^\n]*ACTIVE[\s\S]*?MySQL thread id (\d+)/g),
  ];
  return {
    downloads,
    poolUsed,
    transactions: active.filter((match) => ours.has(Number(match[1]))).length,
    busy: (processes as Array<{ command: string; state: string }>)
      .filter((process) => process.command !== 'Sleep')
      .map((process) => `${process.command} ${process.state}`),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settled<T>(probe: () => Promise<T>, ok: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(20);
  }
}

describeEachDatabase('aborted and concurrent downloads', (db) => {
  let staff: string;
  let big: SiteRow;
  let other: SiteRow;

  beforeAll(async () => {
    staff = await createToken(db, { staff: true });
    ({ site: big } = await siteWithManyMembers(db.knex, db.factory, USERS));
    ({ site: other } = await siteWithManyMembers(db.knex, db.factory, USERS));
  });

  describe('with the default limits', () => {
    let t: TestApp;
    let base: string;
    beforeAll(async () => {
      t = await startTestApp(db, null);
      base = await listen(t);
    });
    afterAll(() => t.close());

    it('ends the query, the transaction and the scratch of 100 aborted downloads; the server keeps answering', async () => {
      const url = `${base}/customers/${big.domain}/user-activity.xlsx`;
      const full = await download(url, staff);
      expect(full.status).toBe(200);
      expect((await readWorkbook(full.body)).rows('Active users')).toHaveLength(USERS + 1);

      let aborted = 0;
      const deadline = Date.now() + 40_000;
      while (aborted < 100 && Date.now() < deadline) {
        const status = await abortedDownload(url, staff, aborted % 2 === 0 ? 'headers' : 'first-bytes');
        if (status === 200) aborted += 1;
        // An abort takes some milliseconds to clean up; this client comes back faster than that.
        else if (status === 429) await sleep(10);
        else throw new Error(`download answered ${status}`);
      }
      expect(aborted).toBe(100);

      const started = Date.now();
      const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) });
      expect(health.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);

      const work = await settled(
        () => openWork(db, t),
        (state) =>
          state.downloads === 0 &&
          state.poolUsed === 0 &&
          state.transactions === 0 &&
          state.busy.length === 0,
        1_000,
      );
      expect(work).toEqual({ downloads: 0, poolUsed: 0, transactions: 0, busy: [] });
      // A write through the server's own connections goes through at once.
      const write = Date.now();
      await t
        .knex('spotlight_export_audit')
        .insert({ token_id: null, action: 'test.write', target: 'x', at: new Date() });
      expect(Date.now() - write).toBeLessThan(1_000);

      const again = await download(url, staff);
      expect(again.status).toBe(200);
      expect((await readWorkbook(again.body)).rows('Active users')).toHaveLength(USERS + 1);
    });
  });

  describe('with at most one download per customer and two in all', () => {
    let t: TestApp;
    let base: string;
    beforeAll(async () => {
      t = await startTestApp(db, null, {
        SPOTLIGHT_MAX_DOWNLOADS_PER_CUSTOMER: '1',
        SPOTLIGHT_MAX_DOWNLOADS: '2',
      });
      base = await listen(t);
    });
    afterAll(() => t.close());
    // The previous download's slot is given back just after its client has the last byte.
    beforeEach(() =>
      settled(
        async () => t.app.get(DownloadLimiter).inProgress,
        (n) => n === 0,
        1_000,
      ),
    );

    /**
     * Holds every download that has taken its slot just before its workbook is
     * built, until `release()`: the downloads counted by the limit are then
     * certainly still in progress when the next request arrives, however slow
     * the machine. The real export runs once released.
     */
    function holdDownloads(): { release(): void; restore(): void } {
      const exports = t.app.get(ExportService);
      const original = exports.exportToStream.bind(exports);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const spy = jest.spyOn(exports, 'exportToStream').mockImplementation(async (...args) => {
        await gate;
        return original(...args);
      });
      return { release, restore: () => spy.mockRestore() };
    }

    async function inProgress(expected: number): Promise<void> {
      const limiter = t.app.get(DownloadLimiter);
      expect(
        await settled(
          async () => limiter.inProgress,
          (n) => n === expected,
          ANSWER_MS,
        ),
      ).toBe(expected);
    }

    it('answers 429 with Retry-After beyond one download of a customer at a time', async () => {
      const url = (site: SiteRow) => `${base}/customers/${site.domain}/user-activity.xlsx`;
      const held = holdDownloads();
      try {
        const first = download(url(big), staff);
        const elsewhere = download(url(other), staff);
        await inProgress(2);
        const refused = await Promise.all([url(big), url(big)].map((u) => download(u, staff)));
        held.release();
        expect((await first).status).toBe(200);
        expect((await elsewhere).status).toBe(200);
        expect((await readWorkbook((await first).body)).rows('Active users')).toHaveLength(USERS + 1);
        expect(refused.map((r) => r.status)).toEqual([429, 429]);
        for (const r of refused) {
          expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(JSON.parse(r.body.toString())).toMatchObject({
            statusCode: 429,
            error: 'TOO_MANY_REQUESTS',
            message: expect.stringContaining(big.domain),
          });
        }
      } finally {
        held.release();
        held.restore();
      }
      // Slots are given back: the next download of that customer goes through.
      await inProgress(0);
      expect((await download(url(big), staff)).status).toBe(200);
    });

    it('answers 429 beyond two downloads in all', async () => {
      const third = await siteWithManyMembers(db.knex, db.factory, 500);
      const url = (site: SiteRow) => `${base}/customers/${site.domain}/user-activity.xlsx`;
      const held = holdDownloads();
      try {
        const running = [big, other].map((site) => download(url(site), staff));
        await inProgress(2);
        const refused = await download(url(third.site), staff);
        held.release();
        expect((await Promise.all(running)).map((r) => r.status)).toEqual([200, 200]);
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(JSON.parse(refused.body.toString()).message).toMatch(/downloads are in progress/);
      } finally {
        held.release();
        held.restore();
      }
      await inProgress(0);
      expect((await download(url(third.site), staff)).status).toBe(200);
    });
  });
});
