import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { DOWNLOAD_TABLE, RUN_TABLE, SPOTLIGHT_TABLE, TokenRepository, TokenService } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ExportRunner } from '../runs/export-runner.service';

/** The wall clock and offset of `instant` in `timeZone`, as the API should print them. */
function zoned(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

// What the admin console asks of a schedule before and after saving it:
// a preview of its due times, one run now, and the email it would send.
describeEachDatabase('schedule preview, run now and email preview', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let staff: string;
  let staffId: number;
  let site: SiteRow;
  let manager: UserRow;
  let otherSiteToken: string;
  let runner: ExportRunner;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    runner = t.app.get(ExportRunner);
    const created = await new TokenService(new TokenRepository(db.knex)).create({ staff: true });
    staff = created.token;
    staffId = created.record.id;
    site = await db.factory.site({ name: '<img src=x onerror=alert(1)>' });
    manager = await db.factory.manager({ site });
    const active = await db.factory.user({ site });
    await db.factory.community({ site, creator: active });
    const other = await db.factory.site();
    otherSiteToken = await createToken(db, { site: other.domain });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  const schedule = async (body: Record<string, unknown> = {}) =>
    (
      await request(t.http)
        .post('/schedules')
        .set(bearer(staff))
        .send({
          customer: site.domain,
          recipient: manager.email,
          cron: '0 7 * * 1',
          timeZone: 'UTC',
          ...body,
        })
        .expect(201)
    ).body as { id: number; nextDueAt: string | null };
  const runsOf = async (scheduleId: number) =>
    Number((await db.knex(RUN_TABLE).where({ schedule_id: scheduleId }).count({ n: '*' }))[0].n);

  describe('POST /schedules/preview', () => {
    const preview = (body: Record<string, unknown>) =>
      request(t.http).post('/schedules/preview').set(bearer(staff)).send(body);

    it('describes the cron in words and gives its next 5 due times in the zone, across daylight saving', async () => {
      // The 5th of every month at 09:00 in Paris: +01:00 in winter, +02:00 from April to October.
      const res = await preview({ cron: '0 9 5 * *', timeZone: 'Europe/Paris' }).expect(200);
      expect(res.body).toMatchObject({
        cron: '0 9 5 * *',
        timeZone: 'Europe/Paris',
        description: 'At 09:00, on day 5 of the month',
        minimumIntervalMinutes: 60,
      });
      const nextDue = res.body.nextDue as string[];
      expect(nextDue).toHaveLength(5);
      for (const due of nextDue) {
        const instant = new Date(due);
        expect(due).toBe(zoned(instant, 'Europe/Paris'));
        const month = Number(due.slice(5, 7));
        expect(due.slice(8)).toBe(`05T09:00:00${month >= 4 && month <= 10 ? '+02:00' : '+01:00'}`);
      }
      expect(new Date(nextDue[0]).getTime()).toBeGreaterThan(Date.now());
      expect(nextDue.map((due) => new Date(due).getTime())).toEqual(
        [...nextDue].map((due) => new Date(due).getTime()).sort((a, b) => a - b),
      );
      // The same first due time a saved schedule gets.
      const saved = await schedule({ cron: '0 9 5 * *', timeZone: 'Europe/Paris', enabled: true });
      expect(new Date(saved.nextDueAt!).getTime()).toBe(new Date(nextDue[0]).getTime());
      expect((await preview({ cron: '0 7 * * 1', timeZone: 'UTC' }).expect(200)).body.description).toBe(
        'At 07:00, only on Monday',
      );
    });

    it('refuses what creating a schedule refuses, with the same message', async () => {
      for (const bad of [
        { cron: '0 0 7 * * 1', timeZone: 'UTC' },
        { cron: '0 7 * * 1', timeZone: 'Mars/Olympus' },
        { cron: '*/5 * * * *', timeZone: 'UTC' },
        { cron: 'every monday', timeZone: 'UTC' },
      ]) {
        const refused = await preview(bad).expect(400);
        const created = await request(t.http)
          .post('/schedules')
          .set(bearer(staff))
          .send({ customer: site.domain, recipient: manager.email, ...bad })
          .expect(400);
        expect(refused.body).toEqual(created.body);
        expect(refused.body.message).not.toContain('\n');
      }
      await preview({ cron: '0 7 * * 1' }).expect(400);
      await preview({ cron: '0 7 * * 1', timeZone: 'UTC', windowDays: 0 }).expect(400);
      await request(t.http)
        .post('/schedules/preview')
        .send({ cron: '0 7 * * 1', timeZone: 'UTC' })
        .expect(401);
    });
  });

  describe('POST /schedules/{id}/run', () => {
    it('queues one run now, paused or not, audited with the token, and it sends one email', async () => {
      const paused = await schedule({ enabled: false, windowDays: 7 });
      const res = await request(t.http).post(`/schedules/${paused.id}/run`).set(bearer(staff)).expect(202);
      expect(res.body).toEqual({ id: expect.any(Number), status: 'queued', existing: false });
      expect(res.headers.location).toBe(`/exports/${res.body.id}`);
      const run = await request(t.http).get(res.headers.location).set(bearer(staff)).expect(200);
      expect(run.body).toMatchObject({
        source: 'schedule',
        scheduleId: paused.id,
        recipient: manager.email,
        tokenId: staffId,
      });
      const audit = await request(t.http).get('/audit?action=schedule.run').set(bearer(staff)).expect(200);
      expect(audit.body.items).toContainEqual(
        expect.objectContaining({
          action: 'schedule.run',
          target: `schedule:${paused.id}`,
          tokenId: staffId,
          detail: expect.objectContaining({ run: res.body.id }),
        }),
      );

      expect(await runner.runNext()).toMatchObject({ id: res.body.id, status: 'sent' });
      const [message] = await smtp.waitFor(1);
      expect(message.envelope.to).toEqual([manager.email]);
      expect(await runner.runNext()).toBeNull();
      expect(smtp.messages).toHaveLength(1);
      const after = await request(t.http).get(`/schedules/${paused.id}`).set(bearer(staff)).expect(200);
      expect(after.body).toMatchObject({ enabled: false, nextDueAt: null });
    });

    it("answers 404 for another customer's schedule and queues nothing", async () => {
      const theirs = await schedule();
      const res = await request(t.http)
        .post(`/schedules/${theirs.id}/run`)
        .set(bearer(otherSiteToken))
        .expect(404);
      expect(res.body.message).toBe(`No schedule has the id ${theirs.id}.`);
      await request(t.http).post('/schedules/999999999/run').set(bearer(staff)).expect(404);
      await request(t.http).post('/schedules/abc/run').set(bearer(staff)).expect(400);
      expect(await runsOf(theirs.id)).toBe(0);
    });

    it('refuses a recipient who is no longer an active manager, pointing at the managers endpoint', async () => {
      const leaving = await db.factory.manager({ site });
      const created = await schedule({ recipient: leaving.email, cron: '0 8 * * 2' });
      await db.knex(SPOTLIGHT_TABLE.user).where({ id: leaving.id }).update({ is_manager: false });
      const res = await request(t.http).post(`/schedules/${created.id}/run`).set(bearer(staff)).expect(422);
      expect(res.body.error).toBe('RECIPIENT_NOT_ALLOWED');
      expect(res.body.message).toContain(`GET /customers/${site.domain}/managers lists them`);
      expect(res.body.message).not.toContain('\n');
      expect(await runsOf(created.id)).toBe(0);
    });
  });

  describe('GET /schedules/{id}/email-preview', () => {
    it('renders the HTML the manager would get, with the real numbers, and sends nothing', async () => {
      const created = await schedule({ cron: '0 9 * * 3' });
      const preview = await request(t.http)
        .get(`/schedules/${created.id}/email-preview`)
        .set(bearer(staff))
        .expect(200)
        .expect('Content-Type', /^text\/html/);
      expect(preview.headers['content-security-policy']).toContain("default-src 'none'");
      // No public URL here: a workbook above the default 20 MiB limit could not be linked, and a run would fail.
      expect(preview.headers['spotlight-delivery']).toBe('attachment');
      expect(preview.headers['spotlight-delivery-note']).toMatch(
        /^Attached: the workbook is [\d.]+ KiB now; a run above the 20\.0 MiB attachment limit fails, as SPOTLIGHT_PUBLIC_URL is not set and no download link can be made\.$/,
      );
      const html = preview.text;
      expect(html).toContain(`This email is sent automatically by export schedule ${created.id}.`);
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
      expect(await runsOf(created.id)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(smtp.messages).toHaveLength(0);

      // The email a run sends is the preview, but for when it was generated.
      const queued = await request(t.http)
        .post(`/schedules/${created.id}/run`)
        .set(bearer(staff))
        .expect(202);
      expect(await runner.runNext()).toMatchObject({ id: queued.body.id, status: 'sent' });
      const [message] = await smtp.waitFor(1);
      const withoutTime = (body: string) =>
        body.replace(/Generated:<\/th><td>[^<]*<\/td>/, 'Generated:</th><td></td>');
      expect(withoutTime(String(message.mail.html))).toBe(withoutTime(html));
      expect(html).toMatch(/Users with activity:<\/th><td>1<\/td>/);
    });

    it('shows the download link a run would send instead of an attachment above SPOTLIGHT_MAX_ATTACHMENT_BYTES, keeping nothing', async () => {
      const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-preview-e2e-'));
      const linking = await startTestApp(db, smtp, {
        SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
        SPOTLIGHT_PUBLIC_URL: 'http://exports.spotlight.test',
        SPOTLIGHT_STORAGE_DIR: storage,
      });
      try {
        const created = await schedule({ cron: '0 11 * * 5' });
        const downloads = async () => Number((await db.knex(DOWNLOAD_TABLE).count({ n: '*' }))[0].n);
        const before = await downloads();
        const preview = await request(linking.http)
          .get(`/schedules/${created.id}/email-preview`)
          .set(bearer(staff))
          .expect(200);
        expect(preview.headers['spotlight-delivery']).toBe('link');
        expect(preview.headers['spotlight-delivery-note']).toMatch(
          /^A download link: the workbook is [\d.]+ KiB now, above the 1\.0 KiB attachment limit; a run attaches it when it is no larger\.$/,
        );
        expect(preview.text).toContain('The workbook is too big to attach');
        expect(preview.text).toContain('http://exports.spotlight.test/downloads/');
        expect(preview.text).not.toContain('is attached');
        // With a public URL a run's email carries its recipient's unsubscribe link: the preview says so too.
        expect(preview.text).toContain(
          'To stop receiving it: <a href="http://exports.spotlight.test/unsubscribe/',
        );
        expect(preview.text).toContain('">stop these emails</a>.');
        expect(preview.text).not.toContain('ask your Spotlight support contact');
        // A preview makes no link that works: nothing is kept.
        expect(await downloads()).toBe(before);
        expect(fs.readdirSync(storage)).toEqual([]);

        // And the run sends what the preview said: a link, no attachment.
        await request(linking.http).post(`/schedules/${created.id}/run`).set(bearer(staff)).expect(202);
        expect(await linking.app.get(ExportRunner).runNext()).toMatchObject({ status: 'sent' });
        const [message] = await smtp.waitFor(1);
        expect(message.mail.attachments).toHaveLength(0);
        expect(message.mail.text).toContain('The workbook is too big to attach');
        expect(message.mail.text).toContain('http://exports.spotlight.test/unsubscribe/');
      } finally {
        await linking.close();
        fs.rmSync(storage, { recursive: true, force: true });
      }
    });

    it('answers as a run would fail when the workbook is above the limit and no link can be made', async () => {
      const small = await startTestApp(db, smtp, { SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024' });
      try {
        const created = await schedule({ cron: '0 12 * * 5' });
        const preview = await request(small.http)
          .get(`/schedules/${created.id}/email-preview`)
          .set(bearer(staff))
          .expect(500);
        expect(preview.body).toMatchObject({ error: 'CONFIGURATION' });
        expect(preview.body.message).toMatch(
          /above the 1\.0 KiB attachment limit, and SPOTLIGHT_PUBLIC_URL is not set/,
        );
      } finally {
        await small.close();
      }
    });

    it("answers 404 for another customer's schedule", async () => {
      const theirs = await schedule({ cron: '0 10 * * 4' });
      const res = await request(t.http)
        .get(`/schedules/${theirs.id}/email-preview`)
        .set(bearer(otherSiteToken))
        .expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'NOT_FOUND',
        message: `No schedule has the id ${theirs.id}.`,
      });
    });
  });
});
