import { TokenRepository, TokenService } from '@spotlight/core';
import { describeEachDatabase } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { siteWithActivity } from '../__fixtures__/activity';
import { startServer } from '../__fixtures__/server-process';

describeEachDatabase('server shutdown', (db) => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await SmtpCapture.start();
  });
  afterAll(() => smtp.stop());

  it('finishes the export in flight on SIGTERM: sent once, not left running', async () => {
    const { site, manager } = await siteWithActivity(db.factory, 300);
    const token = (await new TokenService(new TokenRepository(db.knex)).create({ staff: true })).token;
    const server = await startServer({
      DATABASE_URL: db.url,
      SMTP_URL: smtp.url,
      SPOTLIGHT_WORKER_POLL_MS: '50',
    });
    try {
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      const queued = await fetch(`${server.url}/exports`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ customer: site.domain, recipient: manager.email }),
      });
      expect(queued.status).toBe(202);
      const { id } = (await queued.json()) as { id: number };
      let status = 'queued';
      while (status === 'queued') {
        status = (await db.knex('spotlight_export_run').where({ id }).first()).status;
      }
      const interruptedWhile = status;
      const exit = await server.stop();
      expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
      const run = await db.knex('spotlight_export_run').where({ id }).first();
      console.log(`[${db.dialect}] SIGTERM while the export was ${interruptedWhile}: it ended ${run.status}`);
      expect(run).toMatchObject({ status: 'sent', claim_token: null });
      await smtp.waitFor(1);
      expect(smtp.messages).toHaveLength(1);
      expect(server.output()).toMatch(/waiting for the export in flight to finish|export \d+ for .*: sent/);
    } finally {
      await server.stop();
    }
  });

  it('answers /health/ready with 503 from the moment shutdown starts, while the export in flight finishes', async () => {
    const held = await SmtpCapture.start({ holdData: true });
    const { site, manager } = await siteWithActivity(db.factory, 3);
    const token = (await new TokenService(new TokenRepository(db.knex)).create({ staff: true })).token;
    const server = await startServer({
      DATABASE_URL: db.url,
      SMTP_URL: held.url,
      SPOTLIGHT_WORKER_POLL_MS: '50',
    });
    try {
      const queued = await fetch(`${server.url}/exports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ customer: site.domain, recipient: manager.email }),
      });
      expect(queued.status).toBe(202);
      const { id } = (await queued.json()) as { id: number };
      // The export is mid-send, held by the SMTP server: shutdown must wait for it.
      const sending = Date.now() + 15_000;
      while (held.dataStarted < 1) {
        if (Date.now() > sending)
          throw new Error(`the export did not reach DATA in 15 s: ${server.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);

      server.child.kill('SIGTERM');
      const answers: number[] = [];
      const deadline = Date.now() + 5_000;
      let body: { status?: string } = {};
      while (answers.at(-1) !== 503) {
        if (Date.now() > deadline) throw new Error(`/health/ready answered ${answers.join(', ')} for 5 s`);
        const res = await fetch(`${server.url}/health/ready`);
        answers.push(res.status);
        body = (await res.json()) as { status?: string };
      }
      expect(body.status).toBe('stopping');
      // Still serving, and still not ready, while the export is held.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
      expect(server.child.exitCode).toBeNull();

      held.releaseHeld();
      expect(await server.stop()).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await db.knex('spotlight_export_run').where({ id }).first()).toMatchObject({ status: 'sent' });
      expect(held.messages).toHaveLength(1);
    } finally {
      held.releaseHeld();
      await server.stop();
      await held.stop();
    }
  }, 40_000);
});
