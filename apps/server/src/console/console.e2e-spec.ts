import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describeEachDatabase } from '@spotlight/core/testing';
import { startTestApp, type TestApp } from '../__fixtures__/test-app';

describeEachDatabase('the console when it is not built', (db) => {
  let t: TestApp;
  let empty: string;

  beforeAll(async () => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-no-console-'));
    t = await startTestApp(db, null, { SPOTLIGHT_CONSOLE_DIR: empty });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('answers / and its routes with one line saying how to build it, and the API as before', async () => {
    for (const url of ['/', '/console/schedules']) {
      const res = await request(t.http).get(url).expect(503);
      expect(res.text).toBe(
        'The console is not built: run "npx pnpm@10.34.9 build", then restart the server.\n',
      );
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const missing = await request(t.http).get('/assets/index.js').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404 });
    await request(t.http).get('/exports').expect(401);
  });
});
