import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { describeEachDatabase, type SiteRow } from '@spotlight/core/testing';
import { describeWhen, TcpProxy } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { REDIS, TEST_REDIS } from '../__fixtures__/redis';
import { DownloadLimiter } from '../customers/download-limiter';
import { SharedRedis } from '../redis/shared-redis';

const PER_TOKEN = 5;
const AUTH_FAILURES = 3;
const REDIS_TIMEOUT_MS = 300;
/** How long a request may take while Redis is down or hung: the Redis timeout and some. */
const ANSWER_WITHOUT_REDIS_MS = 2_000;
const RECONNECT_WAIT_MS = 10_000;

const describeWithRedis = describeWhen(REDIS, describeEachDatabase);

describeWithRedis('limits shared by all instances through Redis', (db) => {
  let proxy: TcpProxy;
  let site: SiteRow;
  const open: TestApp[] = [];

  beforeAll(async () => {
    proxy = await TcpProxy.start(TEST_REDIS);
    site = await db.factory.site();
    await db.factory.manager({ site });
  });
  afterEach(async () => {
    proxy.resume();
    proxy.refuseNew(false);
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  afterAll(async () => {
    await proxy.stop();
  });

  /** Two instances on one database and one Redis (through the proxy), with keys of their own. */
  async function twoInstances(env: Record<string, string> = {}): Promise<[TestApp, TestApp]> {
    const shared = {
      SPOTLIGHT_RATE_LIMIT_PER_TOKEN: String(PER_TOKEN),
      SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: String(AUTH_FAILURES),
      SPOTLIGHT_REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      SPOTLIGHT_REDIS_KEY_PREFIX: `spotlight-test:${randomUUID()}:`,
      SPOTLIGHT_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      ...env,
    };
    const a = await startTestApp(db, null, { ...shared, SPOTLIGHT_INSTANCE_ID: 'instance-a' });
    open.push(a);
    const b = await startTestApp(db, null, { ...shared, SPOTLIGHT_INSTANCE_ID: 'instance-b' });
    open.push(b);
    return [a, b];
  }

  const retryAfter = (res: request.Response) => Number(res.headers['retry-after']);

  async function unavailableCount(t: TestApp, use: string): Promise<number> {
    const res = await request(t.http).get('/metrics').expect(200);
    const line = new RegExp(`^spotlight_redis_unavailable_total\\{use="${use}"\\} (\\d+)$`, 'm').exec(
      res.text,
    );
    if (!line) throw new Error(`no spotlight_redis_unavailable_total{use="${use}"} in /metrics`);
    return Number(line[1]);
  }

  async function connected(...apps: TestApp[]): Promise<void> {
    const deadline = Date.now() + RECONNECT_WAIT_MS;
    while (!apps.every((t) => t.app.get(SharedRedis).client?.status === 'ready')) {
      if (Date.now() > deadline) throw new Error(`Redis was not reconnected within ${RECONNECT_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('holds one token to its limit across two instances, with Retry-After', async () => {
    const [a, b] = await twoInstances();
    const token = await createToken(db, { staff: true });
    const statuses: number[] = [];
    for (let i = 0; i < 2 * PER_TOKEN; i += 1) {
      const res = await request(i % 2 === 0 ? a.http : b.http)
        .get('/schedules')
        .set(bearer(token));
      statuses.push(res.status);
      if (res.status === 429) {
        expect(retryAfter(res)).toBeGreaterThan(0);
        expect(retryAfter(res)).toBeLessThanOrEqual(60);
        expect(res.body.message).toMatch(`at most ${PER_TOKEN} requests a minute`);
      }
    }
    expect(statuses).toEqual([...Array(PER_TOKEN).fill(200), ...Array(PER_TOKEN).fill(429)]);
    // Another token, and the same token on an instance with keys of its own, are not limited.
    await request(b.http)
      .get('/schedules')
      .set(bearer(await createToken(db, { staff: true })))
      .expect(200);
    const [other] = await twoInstances();
    await request(other.http).get('/schedules').set(bearer(token)).expect(200);
    expect(await unavailableCount(a, 'rate-limits')).toBe(0);
  });

  it('counts failed authentications of one address across instances', async () => {
    const [a, b] = await twoInstances();
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAILURES + 2; i += 1)
      statuses.push(
        (
          await request(i % 2 === 0 ? a.http : b.http)
            .get('/exports')
            .set(bearer(`spx_guess${i}`))
        ).status,
      );
    expect(statuses).toEqual([...Array(AUTH_FAILURES).fill(401), 429, 429]);
  });

  it('caps the downloads of a customer across instances', async () => {
    const [a, b] = await twoInstances({ SPOTLIGHT_MAX_DOWNLOADS_PER_CUSTOMER: '1' });
    const token = await createToken(db, { site: site.domain });
    const url = `/customers/${site.domain}/user-activity.xlsx`;
    // A download in progress on instance a, holding its slot as the controller does.
    const taken = await a.app.get(DownloadLimiter).acquire(site.domain);
    if (!('slot' in taken)) throw new Error(`instance a refused a first download: ${taken.refused}`);
    const refused = await request(b.http).get(url).set(bearer(token)).expect(429);
    expect(retryAfter(refused)).toBeGreaterThan(0);
    expect(refused.body.message).toMatch(`1 download(s) of ${site.domain} are in progress`);
    taken.slot.release();
    const deadline = Date.now() + 5_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      status = (await request(b.http).get(url).set(bearer(token))).status;
    }
    expect(status).toBe(200);
    // Instance b gave its slot back when its download ended: instance a can take one again.
    let again = await a.app.get(DownloadLimiter).acquire(site.domain);
    while ('refused' in again && Date.now() < deadline + 5_000)
      again = await a.app.get(DownloadLimiter).acquire(site.domain);
    expect(again).toEqual({ slot: expect.anything() });
    if ('slot' in again) again.slot.release();
    expect(await unavailableCount(b, 'downloads')).toBe(0);
  });

  it('serves requests while Redis is cut, warns once, counts it, and shares the limit again once Redis is back', async () => {
    const [a, b] = await twoInstances();
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const token = await createToken(db, { staff: true });
      await request(a.http).get('/schedules').set(bearer(token)).expect(200);
      await request(b.http).get('/schedules').set(bearer(token)).expect(200);

      proxy.refuseNew();
      proxy.cut();
      const outage = PER_TOKEN - 1;
      for (let i = 0; i < outage; i += 1) {
        const started = Date.now();
        await request(a.http).get('/schedules').set(bearer(token)).expect(200);
        expect(Date.now() - started).toBeLessThan(ANSWER_WITHOUT_REDIS_MS);
      }
      const redisWarnings = warn.mock.calls
        .map(([message]) => String(message))
        .filter((message) => /did not answer/.test(message));
      expect(redisWarnings).toEqual([
        expect.stringMatching(/rate-limits are counted by this instance alone/),
      ]);
      expect(redisWarnings[0]).toContain(`redis://127.0.0.1:${proxy.port}`);
      expect(await unavailableCount(a, 'rate-limits')).toBe(outage);

      proxy.refuseNew(false);
      await connected(a, b);
      // Two were counted in Redis before the cut: three more are allowed in all, whatever the instance.
      const statuses: number[] = [];
      for (let i = 0; i < PER_TOKEN; i += 1)
        statuses.push(
          (
            await request(i % 2 === 0 ? b.http : a.http)
              .get('/schedules')
              .set(bearer(token))
          ).status,
        );
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(await unavailableCount(a, 'rate-limits')).toBe(outage);
    } finally {
      warn.mockRestore();
    }
  });

  it('answers without waiting when Redis hangs, and downloads go on', async () => {
    const [a] = await twoInstances();
    const token = await createToken(db, { site: site.domain });
    proxy.stall();
    const started = Date.now();
    await request(a.http).get('/exports').set(bearer(token)).expect(200);
    await request(a.http).get(`/customers/${site.domain}/user-activity.xlsx`).set(bearer(token)).expect(200);
    expect(Date.now() - started).toBeLessThan(2 * ANSWER_WITHOUT_REDIS_MS);
    expect(await unavailableCount(a, 'rate-limits')).toBe(2);
    expect(await unavailableCount(a, 'downloads')).toBeGreaterThanOrEqual(1);
  });
});
