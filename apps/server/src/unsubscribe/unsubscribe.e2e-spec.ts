import request from 'supertest';
import { SIGNING_SECRET_TABLE, UnsubscribeSigner, type ScheduleRecord, escapeHtml } from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture, type CapturedMail } from '@spotlight/testing';
import { bearer, cliSchedules, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { WebhookReceiver } from '../__fixtures__/webhook-receiver';
import { ExportRunner } from '../runs/export-runner.service';

const PUBLIC_URL = 'https://exports.example.test';
const SUPPORT = 'support@unsubscribe.test';

/** A header as the message carries it, unfolded; undefined when absent. */
function header(message: CapturedMail, name: string): string | undefined {
  const line = message.mail.headerLines.find((entry) => entry.key === name.toLowerCase())?.line;
  return line?.replace(/\r?\n(?=[ \t])/g, '').replace(/^[^:]+:\s*/, '');
}

// Two instances on one database, SPOTLIGHT_SIGNING_SECRET unset: the link one
// of them mails is verified by the other with the secret kept in the database.
describeEachDatabase('one-click unsubscribe', (db) => {
  let smtp: SmtpCapture;
  let hook: WebhookReceiver;
  let a: TestApp;
  let b: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    hook = await WebhookReceiver.start();
    const env = {
      SPOTLIGHT_PUBLIC_URL: PUBLIC_URL,
      SPOTLIGHT_ALERT_EMAIL: SUPPORT,
      SPOTLIGHT_ALERT_WEBHOOK_URL: hook.url,
    };
    a = await startTestApp(db, smtp, { ...env, SPOTLIGHT_INSTANCE_ID: 'instance-a' });
    b = await startTestApp(db, smtp, { ...env, SPOTLIGHT_INSTANCE_ID: 'instance-b' });
    staff = await createToken(db, { staff: true });
    // A name that HTML must escape: the page names the customer as the email does.
    site = await db.factory.site({ name: 'Acme <Learning> & Co' });
    manager = await db.factory.manager({ site });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await hook.stop();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.clear();
    hook.clear();
  });

  const control = (t: TestApp) => cliSchedules(t);

  const createSchedule = async (recipient = manager.email): Promise<ScheduleRecord> => {
    const created = await request(a.http)
      .post('/schedules')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient, cron: '0 7 * * 1', timeZone: 'Europe/Berlin', windowDays: 7 })
      .expect(201);
    return (await control(a).find(created.body.id as number))!;
  };

  /** Sends one run of the schedule through instance A's worker; returns its email. */
  const sendRun = async (schedule: ScheduleRecord): Promise<CapturedMail> => {
    smtp.clear();
    await control(a).runNow(schedule, 'jane');
    const run = await a.app.get(ExportRunner).runNext();
    expect(run).toMatchObject({ status: 'sent', scheduleId: schedule.id });
    const [message] = await smtp.waitFor(1);
    return message;
  };

  /** The path of the link in the email's List-Unsubscribe header, checked against its body. */
  const linkOf = (message: CapturedMail): string => {
    const value = header(message, 'List-Unsubscribe')!;
    const url = /^<(https:\/\/[^>]+)>$/.exec(value)![1];
    expect(url.startsWith(`${PUBLIC_URL}/unsubscribe/`)).toBe(true);
    expect(message.mail.text).toContain(`To stop receiving it, follow this link:\n${url}`);
    expect(message.mail.html).toContain(`<a href="${url}">`);
    return url.slice(PUBLIC_URL.length);
  };

  const scheduleOf = async (id: number) =>
    (await request(a.http).get(`/schedules/${id}`).set(bearer(staff)).expect(200)).body as {
      enabled: boolean;
      pausedBy: string | null;
      nextDueAt: string | null;
      pause: { by: string; tokenId: number | null; reason: string | null } | null;
    };
  const unsubscribeAudit = (id: number) =>
    db.knex('spotlight_export_audit').where({ target: `schedule:${id}`, action: 'schedule.unsubscribe' });
  const oneClick = (t: TestApp, path: string) =>
    request(t.http).post(path).type('form').send('List-Unsubscribe=One-Click');

  it('mails the one-click headers, and the link works on the other instance: GET asks, POST stops it once', async () => {
    const schedule = await createSchedule();
    const message = await sendRun(schedule);
    expect(message.envelope.to).toEqual([manager.email]);
    expect(header(message, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(message, 'Auto-Submitted')).toBe('auto-generated');
    expect(message.mail.text).not.toContain('ask your Spotlight support contact');
    const path = linkOf(message);
    expect(header(message, 'List-Unsubscribe')!.length).toBeLessThan(250);

    // A scanner opening the link changes nothing.
    for (let i = 0; i < 3; i += 1) {
      const page = await request(b.http).get(path).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain(`${escapeHtml('Acme <Learning> & Co')} (${site.domain})`);
      expect(page.text).not.toContain('<Learning>');
      expect(page.text).toContain(manager.email);
      expect(page.text).toContain('<form method="post">');
      expect(page.text).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
      expect(page.text).not.toMatch(/<script|<style|style=/);
    }
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: true, pausedBy: null });

    // A POST that is not the one-click body changes nothing either.
    await request(b.http).post(path).expect(400);
    await request(b.http).post(path).type('form').send('List-Unsubscribe=No').expect(400);
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: true });

    smtp.clear();
    const stopped = await oneClick(b, path).expect(200);
    expect(stopped.text).toContain('Stopped');
    expect(stopped.text).toContain(site.domain);
    expect(await scheduleOf(schedule.id)).toMatchObject({
      enabled: false,
      pausedBy: 'recipient',
      nextDueAt: null,
      pause: { by: 'recipient', tokenId: null, reason: null },
    });
    const audit = await unsubscribeAudit(schedule.id).select('token_id', 'detail');
    expect(audit).toHaveLength(1);
    expect(audit[0].token_id).toBeNull();
    expect(JSON.parse(audit[0].detail as string)).toEqual({
      by: 'recipient',
      actor: manager.email,
      customer: site.domain,
    });

    // Support is told, by the webhook and by email; the manager gets nothing more.
    expect(hook.bodies).toEqual([
      {
        method: 'POST',
        contentType: 'application/json',
        body: {
          event: 'schedule.unsubscribed',
          scheduleId: schedule.id,
          customer: site.domain,
          recipient: manager.email,
          unsubscribedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      },
    ]);
    const [notice] = await smtp.waitFor(1);
    expect(notice.envelope.to).toEqual([SUPPORT]);
    expect(notice.mail.subject).toBe(`Schedule unsubscribed: ${site.domain} (schedule ${schedule.id})`);
    expect(notice.mail.text).toContain(`spotlight schedules resume ${schedule.id}`);
    expect(notice.mail.text).toContain(`PATCH /schedules/${schedule.id}`);

    // Again, from either instance: already stopped, nothing recorded or told twice.
    for (const t of [a, b]) {
      const again = await oneClick(t, path).expect(200);
      expect(again.text).toContain('Already stopped');
    }
    expect(await unsubscribeAudit(schedule.id)).toHaveLength(1);
    expect(hook.hits).toBe(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it('also takes the one-click body as multipart/form-data', async () => {
    const schedule = await createSchedule((await db.factory.manager({ site })).email);
    const path = linkOf(await sendRun(schedule));
    await request(a.http).post(path).field('List-Unsubscribe', 'One-Click').expect(200);
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: false, pausedBy: 'recipient' });
  });

  it('answers 404 to a tampered or unknown link and changes nothing', async () => {
    const schedule = await createSchedule((await db.factory.manager({ site })).email);
    const path = linkOf(await sendRun(schedule));
    const [payload, mac] = path.slice('/unsubscribe/'.length).split('.');
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    // The payload names another schedule, or the signature is changed, or it is not a token at all.
    const otherId = Buffer.from(
      Buffer.from(payload, 'base64url')
        .toString('utf8')
        .replace(/^\d+/, String(schedule.id + 1)),
    ).toString('base64url');
    // Signed with the very secret the instances keep, for a schedule that does not exist.
    const { secret } = (await db.knex(SIGNING_SECRET_TABLE).first('secret')) as { secret: string };
    const unknown = new UnsubscribeSigner(secret).sign({
      scheduleId: 999_999,
      recipient: manager.email,
      generation: 0,
    });
    for (const bad of [
      `/unsubscribe/${otherId}.${mac}`,
      `/unsubscribe/${payload}.${flip(mac, 5)}`,
      `/unsubscribe/${payload}`,
      `/unsubscribe/${unknown}`,
    ]) {
      const shown = await request(b.http).get(bad).expect(404);
      expect(shown.headers['content-type']).toMatch(/^text\/html/);
      expect(shown.text).toContain('Nothing was changed.');
      await oneClick(b, bad).expect(404);
    }
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: true });
    expect(await unsubscribeAudit(schedule.id)).toHaveLength(0);
    expect(hook.hits).toBe(0);
  });

  it('makes earlier links stop working when the schedule is resumed, through the API or the CLI', async () => {
    const schedule = await createSchedule((await db.factory.manager({ site })).email);
    const first = linkOf(await sendRun(schedule));
    await oneClick(b, first).expect(200);

    // Support resumes it through the API: the old link no longer stops it.
    await request(a.http)
      .patch(`/schedules/${schedule.id}`)
      .set(bearer(staff))
      .send({ enabled: true })
      .expect(200);
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: true, pausedBy: null });
    await request(b.http).get(first).expect(404);
    await oneClick(b, first).expect(404);
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: true });
    expect(await unsubscribeAudit(schedule.id)).toHaveLength(1);

    // The next email carries a new link, which works.
    const second = linkOf(await sendRun(schedule));
    expect(second).not.toBe(first);
    await request(b.http).get(second).expect(200);

    // Paused and resumed from the CLI: that link stops working too.
    const cli = control(a);
    await cli.pause((await cli.find(schedule.id))!, 'jane', null);
    await cli.resume((await cli.find(schedule.id))!, 'jane');
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: true });
    await oneClick(b, second).expect(404);
    expect(await scheduleOf(schedule.id)).toMatchObject({ enabled: true });
  });

  it('puts no unsubscribe header on a one-off export (POST /exports)', async () => {
    const queued = await request(a.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email })
      .expect(202);
    const run = await a.app.get(ExportRunner).runNext();
    expect(run).toMatchObject({ id: queued.body.id, status: 'sent', scheduleId: null });
    const [message] = await smtp.waitFor(1);
    expect(header(message, 'List-Unsubscribe')).toBeUndefined();
    expect(header(message, 'List-Unsubscribe-Post')).toBeUndefined();
    expect(header(message, 'Auto-Submitted')).toBeUndefined();
    expect(message.mail.text).not.toContain('/unsubscribe/');
  });
});

describeEachDatabase('scheduled emails without SPOTLIGHT_PUBLIC_URL', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp, { SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '3' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it("keep today's sentence and no List-Unsubscribe, and invalid links are rate-limited per address", async () => {
    const staff = await createToken(db, { staff: true });
    const site = await db.factory.site();
    const manager = await db.factory.manager({ site });
    const created = await request(t.http)
      .post('/schedules')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email, cron: '0 7 * * 1', timeZone: 'UTC' })
      .expect(201);
    const cli = cliSchedules(t);
    await cli.runNow((await cli.find(created.body.id as number))!, 'jane');
    expect(await t.app.get(ExportRunner).runNext()).toMatchObject({ status: 'sent' });
    const [message] = await smtp.waitFor(1);
    expect(header(message, 'List-Unsubscribe')).toBeUndefined();
    expect(header(message, 'Auto-Submitted')).toBe('auto-generated');
    expect(message.mail.text).toContain(
      `To stop receiving it, ask your Spotlight support contact to turn off schedule ${created.body.id}.`,
    );

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await request(t.http).get('/unsubscribe/x.y')).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await request(t.http).get('/unsubscribe/x.y').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
