import request from 'supertest';
import { RunRepository } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { WebhookReceiver } from '../__fixtures__/webhook-receiver';
import { SchedulerJob } from '../jobs/scheduler.job';
import { ExportRunner } from '../runs/export-runner.service';

const SUPPORT = 'support@alerts.test';
const ONCALL = 'oncall@alerts.test';
const HOUR = 3_600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('failure alerts', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  let staff: string;

  beforeAll(async () => {
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
    staff = await createToken(db, { staff: true });
  });

  const setActive = (user: UserRow, active: boolean) =>
    db.knex('central_user').where({ id: user.id }).update({ is_active: active });
  const queue = async (t: TestApp, body: Record<string, unknown>) =>
    (await request(t.http).post('/exports').set(bearer(staff)).send(body).expect(202)).body.id as number;
  const auditOf = (target: string) =>
    db.knex('spotlight_export_audit').where({ target }).orderBy('id').select('token_id', 'action', 'detail');

  describe('with support addresses and a webhook', () => {
    let smtp: SmtpCapture;
    let hook: WebhookReceiver;
    let t: TestApp;
    beforeAll(async () => {
      smtp = await SmtpCapture.start();
      hook = await WebhookReceiver.start();
      t = await startTestApp(db, smtp, {
        SPOTLIGHT_ALERT_EMAIL: ` ${SUPPORT}, ${ONCALL} `,
        SPOTLIGHT_ALERT_WEBHOOK_URL: hook.url,
      });
    });
    afterAll(async () => {
      await t.close();
      await hook.stop();
      await smtp.stop();
    });
    beforeEach(() => {
      smtp.clear();
      hook.clear();
    });

    it('tells support by email and the webhook when a run fails, and the manager gets nothing', async () => {
      const leaving = await db.factory.manager({ site });
      const id = await queue(t, { customer: site.domain, recipient: leaving.email });
      await setActive(leaving, false);

      const run = await t.app.get(ExportRunner).runNext();
      expect(run).toMatchObject({ id, status: 'failed', errorCode: 'RECIPIENT_NOT_ALLOWED' });

      const messages = await smtp.waitFor(2);
      expect(messages.map((m) => m.envelope.to).sort()).toEqual([[ONCALL], [SUPPORT]]);
      for (const { envelope, mail } of messages) {
        expect(mail.to).toMatchObject({ value: [{ address: envelope.to[0] }] });
        expect(mail.cc).toBeUndefined();
        expect(mail.subject).toBe(`Export failed: ${site.domain} (run ${id})`);
        expect(mail.text).toContain(run!.error!);
        expect(mail.text).toContain('RECIPIENT_NOT_ALLOWED');
      }
      expect(messages.flatMap((m) => m.envelope.to)).not.toContain(leaving.email);

      expect(hook.bodies).toEqual([
        {
          method: 'POST',
          contentType: 'application/json',
          body: {
            event: 'export.failed',
            runId: id,
            customer: site.domain,
            scheduleId: null,
            recipient: leaving.email,
            source: 'api',
            reason: run!.error,
            errorCode: 'RECIPIENT_NOT_ALLOWED',
            attempts: 1,
            queuedAt: run!.createdAt.toISOString(),
            failedAt: run!.finishedAt!.toISOString(),
            schedulePaused: false,
          },
        },
      ]);
      const audit = await auditOf(`run:${id}`);
      expect(audit.map((row) => row.action)).toEqual(['export.queue', 'alert.sent']);
      expect(JSON.parse(audit[1].detail)).toEqual({
        sent: [`email:${SUPPORT}`, `email:${ONCALL}`, 'webhook'],
      });
    });

    it('sends no alert for a run that is sent', async () => {
      const id = await queue(t, { customer: site.domain, recipient: manager.email, since: '2026-01-01' });
      expect(await t.app.get(ExportRunner).runNext()).toMatchObject({ id, status: 'sent' });
      const [message] = await smtp.waitFor(1);
      expect(message.envelope.to).toEqual([manager.email]);
      await sleep(100);
      expect(smtp.messages).toHaveLength(1);
      expect(hook.hits).toBe(0);
    });

    it('pauses a schedule whose due times fail 3 times in a row, says so in the 3rd notice; a sent run resets the count', async () => {
      const boss = await db.factory.manager({ site });
      const created = await request(t.http)
        .post('/schedules')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: boss.email, cron: '0 * * * *', timeZone: 'UTC' })
        .expect(201);
      const scheduleId = created.body.id as number;
      const runs = new RunRepository(db.knex);
      const latestHour = Math.floor(Date.now() / HOUR) * HOUR;
      let dueTimes = 0;
      // One run per due time, as the scheduler inserts them; the due times are hours apart, oldest first.
      const runDueTime = async (active: boolean) => {
        dueTimes += 1;
        await setActive(boss, active);
        await runs.insertQueued(
          {
            customer: site.domain,
            recipient: boss.email,
            since: null,
            until: null,
            source: 'schedule',
            tokenId: null,
            scheduleId,
            dueAt: new Date(latestHour - (10 - dueTimes) * HOUR),
          },
          new Date(),
        );
        return t.app.get(ExportRunner).runNext();
      };
      const enabled = async () =>
        (await request(t.http).get(`/schedules/${scheduleId}`).set(bearer(staff)).expect(200)).body.enabled;

      expect(await runDueTime(false)).toMatchObject({ status: 'failed', scheduleId });
      expect(await runDueTime(false)).toMatchObject({ status: 'failed', scheduleId });
      expect(await runDueTime(true)).toMatchObject({ status: 'sent', scheduleId });
      expect(await runDueTime(false)).toMatchObject({ status: 'failed', scheduleId });
      expect(await runDueTime(false)).toMatchObject({ status: 'failed', scheduleId });
      expect(await enabled()).toBe(true);
      expect(
        hook.bodies.map((hit) => (hit as { body: { schedulePaused: boolean } }).body.schedulePaused),
      ).toEqual([false, false, false, false]);

      const third = await runDueTime(false);
      expect(third).toMatchObject({ status: 'failed', scheduleId });
      expect(await enabled()).toBe(false);
      const schedule = await request(t.http).get(`/schedules/${scheduleId}`).set(bearer(staff)).expect(200);
      expect(schedule.body).toMatchObject({
        enabled: false,
        nextDueAt: null,
        pause: { by: 'system', tokenId: null, reason: 'its last 3 due times failed' },
        lastRun: { id: third!.id, status: 'failed' },
      });

      const last = hook.bodies[hook.bodies.length - 1] as { body: Record<string, unknown> };
      expect(last.body).toMatchObject({
        runId: third!.id,
        scheduleId,
        source: 'schedule',
        schedulePaused: true,
      });
      const notices = (await smtp.waitFor(11)).filter((m) => m.envelope.to[0] === SUPPORT);
      expect(notices).toHaveLength(5);
      expect(notices.slice(0, 4).map((m) => m.mail.subject)).not.toContainEqual(
        expect.stringContaining('paused'),
      );
      expect(notices[4].mail.subject).toBe(
        `Export failed: ${site.domain} (run ${third!.id}), schedule paused`,
      );
      expect(notices[4].mail.text).toContain(`Schedule ${scheduleId} has been paused`);
      // The one sent run reached the manager; none of the notices did.
      expect(smtp.messages.filter((m) => m.envelope.to[0] === boss.email)).toHaveLength(1);

      const audit = await auditOf(`schedule:${scheduleId}`);
      expect(audit.map((row) => [row.token_id, row.action])).toEqual([
        [expect.any(Number), 'schedule.create'],
        [null, 'schedule.pause'],
      ]);
      expect(JSON.parse(audit[1].detail)).toMatchObject({ by: 'system', failuresInARow: 3 });

      // Paused: the scheduler queues nothing more for it.
      await db
        .knex('spotlight_export_schedule')
        .where({ id: scheduleId })
        .update({ next_due_at: new Date(0) });
      expect(await t.app.get(SchedulerJob).tick()).toBe(0);
    });
  });

  describe('when the mail server refuses everything', () => {
    it('still reaches the webhook, and records that the notice email failed', async () => {
      const smtp = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
      const hook = await WebhookReceiver.start();
      const t = await startTestApp(db, smtp, {
        SPOTLIGHT_ALERT_EMAIL: SUPPORT,
        SPOTLIGHT_ALERT_WEBHOOK_URL: hook.url,
        SPOTLIGHT_MAIL_MAX_ATTEMPTS: '1',
      });
      try {
        const id = await queue(t, { customer: site.domain, recipient: manager.email, since: '2026-02-01' });
        const run = await t.app.get(ExportRunner).runNext();
        expect(run).toMatchObject({ id, status: 'failed', errorCode: 'MAIL_FAILED' });
        expect(hook.bodies).toEqual([
          expect.objectContaining({
            body: expect.objectContaining({ runId: id, errorCode: 'MAIL_FAILED', attempts: 1 }),
          }),
        ]);
        expect(smtp.dataStarted).toBe(2);
        const audit = await auditOf(`run:${id}`);
        expect(audit.map((row) => row.action)).toEqual(['export.queue', 'alert.failed', 'alert.sent']);
        expect(JSON.parse(audit[1].detail)).toMatchObject({
          channel: `email:${SUPPORT}`,
          error: expect.stringContaining('Mailbox unavailable'),
        });
        expect(await db.knex('spotlight_export_run').where({ id }).first()).toMatchObject({
          status: 'failed',
          error_code: 'MAIL_FAILED',
        });
      } finally {
        await t.close();
        await hook.stop();
        await smtp.stop();
      }
    });
  });

  describe.each([
    ['hangs', 'hang' as const],
    ['answers 500', 'fail' as const],
  ])('when the webhook %s', (_name, behaviour) => {
    it('records the failed alert, leaves the run failed as it was, and the worker moves on within the bound', async () => {
      const smtp = await SmtpCapture.start();
      const hook = await WebhookReceiver.start(behaviour);
      const t = await startTestApp(db, smtp, {
        SPOTLIGHT_ALERT_WEBHOOK_URL: hook.url,
        SPOTLIGHT_ALERT_TIMEOUT_MS: '400',
        SPOTLIGHT_ALERT_WEBHOOK_ATTEMPTS: '2',
      });
      try {
        const leaving = await db.factory.manager({ site });
        const failing = await queue(t, { customer: site.domain, recipient: leaving.email });
        const next = await queue(t, { customer: site.domain, recipient: manager.email, since: '2026-03-01' });
        await setActive(leaving, false);
        const runner = t.app.get(ExportRunner);

        const started = Date.now();
        const failed = await runner.runNext();
        const took = Date.now() - started;
        expect(failed).toMatchObject({ id: failing, status: 'failed', errorCode: 'RECIPIENT_NOT_ALLOWED' });
        expect(hook.hits).toBe(2);
        // Two tries of at most 400 ms and one pause of 250 ms, plus the export itself.
        expect(took).toBeLessThan(2_500);

        const stored = await db.knex('spotlight_export_run').where({ id: failing }).first();
        expect(stored).toMatchObject({
          status: 'failed',
          error: failed!.error,
          error_code: 'RECIPIENT_NOT_ALLOWED',
        });
        const audit = await auditOf(`run:${failing}`);
        expect(audit.map((row) => row.action)).toEqual(['export.queue', 'alert.failed']);
        expect(JSON.parse(audit[1].detail)).toEqual({
          channel: 'webhook',
          error: expect.stringMatching(
            behaviour === 'hang'
              ? /did not answer within 400 ms \(2 of 2 tries\)/
              : /answered 500 \(2 of 2 tries\)/,
          ),
        });

        expect(await runner.runNext()).toMatchObject({ id: next, status: 'sent' });
        const [message] = await smtp.waitFor(1);
        expect(message.envelope.to).toEqual([manager.email]);
      } finally {
        await t.close();
        await hook.stop();
        await smtp.stop();
      }
    });
  });
});
