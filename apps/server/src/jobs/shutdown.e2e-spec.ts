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
});
