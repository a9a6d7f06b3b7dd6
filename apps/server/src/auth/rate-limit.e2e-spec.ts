import request from 'supertest';
import { describeEachDatabase } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';

/** The shipped defaults: the test app raises both limits for the other suites. */
const DEFAULT_LIMITS = { SPOTLIGHT_RATE_LIMIT_PER_TOKEN: '', SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '' };

describeEachDatabase('rate limits', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp, DEFAULT_LIMITS);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const retryAfter = (res: request.Response) => Number(res.headers['retry-after']);

  it('answers 429 with Retry-After once an address has failed to authenticate 10 times in a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const res = await request(t.http)
        .get('/exports')
        .set(bearer(`spx_guess${i}`));
      statuses.push(res.status);
      if (res.status === 429) {
        expect(retryAfter(res)).toBeGreaterThan(0);
        expect(retryAfter(res)).toBeLessThanOrEqual(60);
        expect(res.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
        expect(res.body.message).toMatch(/failed authentications/);
      }
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    const noHeader = await request(t.http).get('/schedules');
    expect(noHeader.status).toBe(429);
    // A real token is not locked out by someone else's guessing from the same address.
    await request(t.http)
      .get('/exports')
      .set(bearer(await createToken(db, { staff: true })))
      .expect(200);
  });

  it('limits each token to 60 requests a minute, with Retry-After, and leaves other tokens alone', async () => {
    const busy = await createToken(db, { staff: true });
    const statuses: number[] = [];
    for (let i = 0; i < 62; i += 1)
      statuses.push((await request(t.http).get('/schedules').set(bearer(busy))).status);
    expect(statuses).toEqual([...Array(60).fill(200), 429, 429]);
    const limited = await request(t.http).get('/exports').set(bearer(busy)).expect(429);
    expect(retryAfter(limited)).toBeGreaterThan(0);
    expect(retryAfter(limited)).toBeLessThanOrEqual(60);
    expect(limited.body.message).toMatch(/at most 60 requests a minute/);
    await request(t.http)
      .get('/schedules')
      .set(bearer(await createToken(db, { staff: true })))
      .expect(200);
    await request(t.http).get('/health').expect(200);
  });

  it('takes both limits from the settings', async () => {
    const strict = await startTestApp(db, smtp, {
      SPOTLIGHT_RATE_LIMIT_PER_TOKEN: '3',
      SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '2',
    });
    try {
      const token = await createToken(db, { staff: true });
      const ok: number[] = [];
      for (let i = 0; i < 4; i += 1)
        ok.push((await request(strict.http).get('/exports').set(bearer(token))).status);
      expect(ok).toEqual([200, 200, 200, 429]);
      const bad: number[] = [];
      for (let i = 0; i < 3; i += 1)
        bad.push((await request(strict.http).get('/exports').set(bearer('spx_x'))).status);
      expect(bad).toEqual([401, 401, 429]);
    } finally {
      await strict.close();
    }
  });

  /** The statuses of failed authentications sent as coming from each of these client addresses. */
  async function failuresFrom(app: TestApp, forwardedFor: string[]): Promise<number[]> {
    const statuses: number[] = [];
    for (const address of forwardedFor)
      statuses.push(
        (await request(app.http).get('/exports').set(bearer('spx_guess')).set('X-Forwarded-For', address))
          .status,
      );
    return statuses;
  }

  it('counts failures against the TCP peer, whatever X-Forwarded-For claims, unless SPOTLIGHT_TRUST_PROXY is set', async () => {
    const direct = await startTestApp(db, smtp, { SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '2' });
    try {
      // A client cannot dodge the limit by naming another address each time.
      expect(await failuresFrom(direct, ['203.0.113.1', '203.0.113.2', '203.0.113.3'])).toEqual([
        401, 401, 429,
      ]);
    } finally {
      await direct.close();
    }
    // Behind a proxy on this host, every client would share the proxy's address without it.
    const proxied = await startTestApp(db, smtp, {
      SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '2',
      SPOTLIGHT_TRUST_PROXY: '127.0.0.1,::1,::ffff:127.0.0.1',
    });
    try {
      expect(await failuresFrom(proxied, ['203.0.113.7', '203.0.113.7', '203.0.113.7'])).toEqual([
        401, 401, 429,
      ]);
      expect(await failuresFrom(proxied, ['203.0.113.8', '198.51.100.9, 203.0.113.8'])).toEqual([401, 401]);
      expect(await failuresFrom(proxied, ['203.0.113.8'])).toEqual([429]);
    } finally {
      await proxied.close();
    }
    const oneHop = await startTestApp(db, smtp, {
      SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '2',
      SPOTLIGHT_TRUST_PROXY: '1',
    });
    try {
      // One hop trusted: the address the proxy appended last is the client, not what the client wrote before it.
      expect(await failuresFrom(oneHop, ['10.0.0.1, 203.0.113.20', '10.0.0.2, 203.0.113.20'])).toEqual([
        401, 401,
      ]);
      expect(await failuresFrom(oneHop, ['10.0.0.3, 203.0.113.20'])).toEqual([429]);
    } finally {
      await oneHop.close();
    }
  });
});
