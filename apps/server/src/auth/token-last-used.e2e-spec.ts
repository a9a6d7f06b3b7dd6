import request from 'supertest';
import { hashToken, TOKEN_TABLE, toDate } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';

describeEachDatabase('API token last use', (db) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(db, null);
  });
  afterAll(async () => {
    await t.close();
  });

  const lastUsed = async (token: string) =>
    toDate(
      (
        await db
          .knex(TOKEN_TABLE)
          .where({ token_hash: hashToken(token) })
          .first('last_used_at')
      ).last_used_at,
    );

  it('records when the server last accepted a token, and not for a refused one', async () => {
    const used = await createToken(db, { staff: true });
    const unused = await createToken(db, { staff: true });
    const before = Date.now();
    await request(t.http).get('/exports').set(bearer(used)).expect(200);
    await request(t.http)
      .get('/exports')
      .set(bearer(`${unused.slice(0, -2)}xx`))
      .expect(401);

    const at = await lastUsed(used);
    expect(at).toBeInstanceOf(Date);
    expect(at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(at!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await lastUsed(unused)).toBeNull();

    // Within the minute, requests do not write again.
    await request(t.http).get('/exports').set(bearer(used)).expect(200);
    expect(await lastUsed(used)).toEqual(at);
  });
});
