import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, cliSchedules, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ExportRunner } from '../runs/export-runner.service';

// `spotlight schedules run` queues through core's ScheduleControlService; this
// server's worker must send that run as it sends a due one: one email, to the
// schedule's recipient, paused schedule or not.
describeEachDatabase('a schedule run queued by support', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    staff = await createToken(db, { staff: true });
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('is sent once by the server, to the schedule recipient, and the schedule stays paused', async () => {
    const created = await request(t.http)
      .post('/schedules')
      .set(bearer(staff))
      .send({
        customer: site.domain,
        recipient: manager.email,
        cron: '0 7 * * 1',
        timeZone: 'Europe/Berlin',
        windowDays: 7,
        enabled: false,
      })
      .expect(201);
    const control = cliSchedules(t);
    const schedule = (await control.find(created.body.id as number))!;
    const queued = await control.runNow(schedule, 'jane');

    const runner = t.app.get(ExportRunner);
    const run = await runner.runNext();
    expect(run).toMatchObject({ id: queued.id, status: 'sent', source: 'schedule', scheduleId: schedule.id });
    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    expect(message.mail.text).toContain(
      `This email is sent automatically by export schedule ${schedule.id}.`,
    );
    expect(await runner.runNext()).toBeNull();
    expect(smtp.messages).toHaveLength(1);
    const after = await request(t.http).get(`/schedules/${schedule.id}`).set(bearer(staff)).expect(200);
    expect(after.body).toMatchObject({ enabled: false, nextDueAt: null });
  });
});
