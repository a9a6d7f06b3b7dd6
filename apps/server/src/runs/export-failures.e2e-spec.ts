import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  createTestDatabase,
  describeEachDatabase,
  type SiteRow,
  type TestDatabase,
  type UserRow,
} from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ExportRunner } from './export-runner.service';
import { ExportLockRepository, RunRepository, maskUrl } from '@spotlight/core';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('export failures', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  let staff: string;

  beforeAll(async () => {
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
    staff = await createToken(db, { staff: true });
  });

  describe('when the SMTP server refuses for now (4xx)', () => {
    let smtp: SmtpCapture;
    let t: TestApp;
    beforeAll(async () => {
      // A 5xx is a refusal for good, which is not retried (smtp-faults.e2e-spec.ts).
      smtp = await SmtpCapture.start({ refuse: { at: 'DATA', code: 451, message: 'Mailbox unavailable' } });
      t = await startTestApp(db, smtp, {
        SPOTLIGHT_MAIL_MAX_ATTEMPTS: '3',
        SPOTLIGHT_MAIL_RETRY_BASE_MS: '300',
      });
    });
    afterAll(async () => {
      await t.close();
      await smtp.stop();
    });

    it('retries with exponential backoff, then fails the run with the reason', async () => {
      const runner = t.app.get(ExportRunner);
      const queued = await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email })
        .expect(202);

      const first = await runner.runNext();
      expect(first).toMatchObject({
        status: 'queued',
        attempts: 1,
        error: expect.stringMatching(/^Attempt 1 of 3 failed, retrying at .*Mailbox unavailable/),
      });
      const firstWait = first!.nextAttemptAt.getTime() - Date.now();
      expect(firstWait).toBeGreaterThan(150);
      expect(await runner.runNext()).toBeNull();
      await sleep(firstWait + 20);

      const second = await runner.runNext();
      expect(second).toMatchObject({
        status: 'queued',
        attempts: 2,
        error: expect.stringMatching(/^Attempt 2 of 3 failed/),
      });
      const secondWait = second!.nextAttemptAt.getTime() - Date.now();
      expect(secondWait).toBeGreaterThan(450);
      expect(await runner.runNext()).toBeNull();
      await sleep(secondWait + 20);

      const last = await runner.runNext();
      expect(last).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: expect.stringMatching(/^Gave up after 3 attempts: .*Mailbox unavailable/),
      });
      const shown = await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(staff)).expect(200);
      expect(shown.body).toMatchObject({ status: 'failed', attempts: 3, error: last!.error });
      expect(await runner.runNext()).toBeNull();
      expect(smtp.messages).toHaveLength(0);
    });
  });

  describe('when the instance running an export stops', () => {
    let smtp: SmtpCapture;
    let t: TestApp;
    let runs: RunRepository;
    beforeAll(async () => {
      smtp = await SmtpCapture.start();
      t = await startTestApp(db, smtp);
      runs = new RunRepository(db.knex);
    });
    afterAll(async () => {
      await t.close();
      await smtp.stop();
    });
    beforeEach(() => smtp.clear());

    const queue = async (since: string) => {
      const res = await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email, since })
        .expect(202);
      return res.body.id as number;
    };

    it('lets another instance take a run abandoned before delivery once its lease expires, and sends it once', async () => {
      const id = await queue('2026-01-01');
      const abandoned = await runs.claimNext({ instanceId: 'crashed', now: new Date(), leaseMs: 300 });
      expect(abandoned).toMatchObject({ id, status: 'running', claimedBy: 'crashed' });
      const runner = t.app.get(ExportRunner);
      expect(await runner.runNext()).toBeNull();
      await sleep(350);
      const retried = await runner.runNext();
      expect(retried).toMatchObject({ id, status: 'sent', attempts: 2 });
      await smtp.waitFor(1);
      // The crashed instance coming back cannot record anything over it.
      expect(await runs.finishFailed(abandoned!, 'late', new Date())).toBe(false);
      expect(await runs.markDeliveryStarted(abandoned!, new Date())).toBe(false);
      await sleep(100);
      expect(smtp.messages).toHaveLength(1);
    });

    it('does not resend a run abandoned during delivery, and records that it may have arrived', async () => {
      const id = await queue('2026-02-01');
      const abandoned = await runs.claimNext({ instanceId: 'crashed', now: new Date(), leaseMs: 300 });
      expect(await runs.markDeliveryStarted(abandoned!, new Date())).toBe(true);
      await sleep(350);
      const recovered = await t.app.get(ExportRunner).runNext();
      expect(recovered).toMatchObject({
        id,
        status: 'unconfirmed',
        errorCode: 'DELIVERY_UNCONFIRMED',
        messageId: expect.stringMatching(new RegExp(`^<spotlight-export\\.run-${id}\\.`)),
        error: expect.stringContaining('its outcome was never recorded'),
      });
      await sleep(100);
      expect(smtp.messages).toHaveLength(0);
    });
  });

  describe('while another export of the customer holds its lock (the CLI, say)', () => {
    let smtp: SmtpCapture;
    let t: TestApp;
    beforeAll(async () => {
      smtp = await SmtpCapture.start();
      t = await startTestApp(db, smtp, {
        SPOTLIGHT_MAIL_MAX_ATTEMPTS: '3',
        SPOTLIGHT_MAIL_RETRY_BASE_MS: '200',
      });
    });
    afterAll(async () => {
      await t.close();
      await smtp.stop();
    });

    it('waits and retries instead of sending a second export at once, then sends exactly one', async () => {
      const held = await new ExportLockRepository(db.knex).acquire(site.domain, 'cli: alice', new Date());
      const runner = t.app.get(ExportRunner);
      await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email, since: '2025-06-01' })
        .expect(202);
      const blocked = await runner.runNext();
      // Waiting for the lock spends no attempt.
      expect(blocked).toMatchObject({
        status: 'queued',
        attempts: 0,
        error: expect.stringMatching(/^Waiting, will try again at .*already running \(cli: alice/),
      });
      expect(smtp.messages).toHaveLength(0);
      await held.release();
      await sleep(blocked!.nextAttemptAt.getTime() - Date.now() + 20);
      expect(await runner.runNext()).toMatchObject({ status: 'sent', attempts: 1 });
      await smtp.waitFor(1);
      await sleep(100);
      expect(smtp.messages).toHaveLength(1);
    });
  });

  describe('with a read replica', () => {
    let smtp: SmtpCapture;
    let replica: TestDatabase;
    let broken: TestDatabase;
    beforeAll(async () => {
      smtp = await SmtpCapture.start();
      replica = await createTestDatabase(db.dialect);
      broken = await createTestDatabase(db.dialect);
      await broken.knex.schema.dropTable('central_ideavote');
    });
    afterAll(async () => {
      await replica.drop();
      await broken.drop();
      await smtp.stop();
    });

    it('reads exports from the replica and writes runs to the primary', async () => {
      const t = await startTestApp(db, smtp, { DATABASE_READ_URL: replica.url });
      try {
        const onlyOnReplica = await replica.factory.site();
        const boss = await replica.factory.manager({ site: onlyOnReplica });
        const queued = await request(t.http)
          .post('/exports')
          .set(bearer(staff))
          .send({ customer: onlyOnReplica.domain, recipient: boss.email })
          .expect(202);
        expect(await db.knex('spotlight_export_run').where({ id: queued.body.id }).first()).toBeDefined();
        expect(await replica.knex('spotlight_export_run').count({ n: '*' }).first()).toMatchObject({ n: 0 });
        expect(await t.app.get(ExportRunner).runNext()).toMatchObject({ id: queued.body.id, status: 'sent' });
        const [message] = await smtp.waitFor(1);
        expect(message.envelope.to).toEqual([boss.email]);
        const health = await request(t.http).get('/health').expect(200);
        expect(health.body.database).toEqual({ primary: 'ok', replica: 'ok' });
      } finally {
        await t.close();
      }
    });

    it('names DATABASE_READ_URL when the replica does not exist, with no advice to migrate it', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-replica-'));
      const missing =
        db.dialect === 'sqlite'
          ? `sqlite://${path.join(dir, 'typo', 'replica.sqlite')}`
          : replica.url.replace(/\/([^/]*)$/, '/$1_never_created');
      const t = await startTestApp(db, smtp, { DATABASE_READ_URL: missing });
      try {
        const health = await request(t.http).get('/health/ready').expect(503);
        expect(health.body.database).toEqual({
          primary: 'ok',
          replica: `unreachable: The database at ${maskUrl(missing)} does not exist; check DATABASE_READ_URL.`,
        });
        expect(fs.readdirSync(dir)).toEqual([]);
      } finally {
        await t.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fails a run cleanly when the database errors mid-export', async () => {
      const writer = await startTestApp(db, smtp);
      const queued = await request(writer.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email, since: '2026-03-01' })
        .expect(202);
      await writer.close();
      // Same primary, but a replica that lost a table the export reads after the guard.
      await broken.factory.site({ domain: site.domain });
      await broken.factory.manager({
        site: { ...site, id: (await broken.knex('django_site').where({ domain: site.domain }).first()).id },
        email: manager.email,
      });
      const t = await startTestApp(db, smtp, { DATABASE_READ_URL: broken.url });
      try {
        smtp.clear();
        const run = await t.app.get(ExportRunner).runNext();
        expect(run).toMatchObject({
          id: queued.body.id,
          status: 'failed',
          error: expect.stringMatching(/central_ideavote/),
        });
        expect(await t.app.get(ExportRunner).runNext()).toBeNull();
        await sleep(100);
        expect(smtp.messages).toHaveLength(0);
      } finally {
        await t.close();
      }
    });
  });
});
