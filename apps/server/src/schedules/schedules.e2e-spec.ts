import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture, readWorkbook } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { ExportRunner } from '../runs/export-runner.service';
import { SchedulerJob } from '../jobs/scheduler.job';

const DAY = 86_400_000;

function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

describeEachDatabase('schedules API and scheduler', (db) => {
  let smtp: SmtpCapture;
  let t: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;
  let runner: ExportRunner;
  let scheduler: SchedulerJob;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    t = await startTestApp(db, smtp);
    runner = t.app.get(ExportRunner);
    scheduler = t.app.get(SchedulerJob);
    staff = await createToken(db, { staff: true });
    site = await db.factory.site();
    manager = await db.factory.manager({ site });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  const create = (body: Record<string, unknown>) =>
    request(t.http).post('/schedules').set(bearer(staff)).send(body);
  const valid = () => ({
    customer: site.domain,
    recipient: manager.email,
    cron: '0 7 * * 1',
    timeZone: 'America/New_York',
    windowDays: 30,
  });
  /** As if every instance had been down since `at`. */
  const dueSince = (id: number, at: Date) =>
    db.knex('spotlight_export_schedule').where({ id }).update({ next_due_at: at });

  it('creates, lists, reads, changes and deletes a schedule; the next due time follows the time zone', async () => {
    const created = await create(valid()).expect(201);
    expect(created.body).toMatchObject({
      customer: site.domain,
      recipient: manager.email,
      cron: '0 7 * * 1',
      timeZone: 'America/New_York',
      windowDays: 30,
      enabled: true,
    });
    expect(new Date(created.body.nextDueAt).getTime()).toBeGreaterThan(Date.now());
    expect(localTime(created.body.nextDueAt, 'America/New_York')).toBe('Mon 07:00');

    const list = await request(t.http)
      .get(`/schedules?customer=${site.domain}`)
      .set(bearer(staff))
      .expect(200);
    expect(list.body.items.map((item: { id: number }) => item.id)).toContain(created.body.id);
    await request(t.http).get(`/schedules/${created.body.id}`).set(bearer(staff)).expect(200);

    const changed = await request(t.http)
      .patch(`/schedules/${created.body.id}`)
      .set(bearer(staff))
      .send({ cron: '30 18 * * 5', timeZone: 'Asia/Tokyo', windowDays: null })
      .expect(200);
    expect(changed.body).toMatchObject({ cron: '30 18 * * 5', timeZone: 'Asia/Tokyo', windowDays: null });
    expect(localTime(changed.body.nextDueAt, 'Asia/Tokyo')).toBe('Fri 18:30');

    const disabled = await request(t.http)
      .patch(`/schedules/${created.body.id}`)
      .set(bearer(staff))
      .send({ enabled: false })
      .expect(200);
    expect(disabled.body).toMatchObject({ enabled: false, nextDueAt: null });

    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
    await request(t.http).get(`/schedules/${created.body.id}`).set(bearer(staff)).expect(404);
    const actions = await db
      .knex('spotlight_export_audit')
      .where({ target: `schedule:${created.body.id}` })
      .orderBy('id')
      .pluck('action');
    expect(actions).toEqual(['schedule.create', 'schedule.update', 'schedule.update', 'schedule.delete']);
  });

  it('makes five concurrent identical requests one schedule: one 201, four 200 existing, and one email per due time', async () => {
    const body = { ...valid(), cron: '45 5 * * *', timeZone: 'UTC', windowDays: 3 };
    const answers = await Promise.all(Array.from({ length: 5 }, () => create(body)));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const ids = new Set(answers.map((res) => res.body.id as number));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(answers.filter((res) => res.body.existing === true)).toHaveLength(4);
    expect(answers.find((res) => res.status === 201)!.body).toMatchObject({
      id,
      existing: false,
      enabled: true,
    });
    const rows = await db.knex('spotlight_export_schedule').where({ customer: site.domain, cron: body.cron });
    expect(rows.map((row: { id: number }) => Number(row.id))).toEqual([id]);
    const audit = await db
      .knex('spotlight_export_audit')
      .where({ action: 'schedule.create', target: `schedule:${id}` });
    expect(audit).toHaveLength(1);

    await dueSince(id, new Date(Date.now() - DAY));
    expect(await scheduler.tick()).toBe(1);
    expect(await runner.runNext()).toMatchObject({ status: 'sent', scheduleId: id });
    expect(await runner.runNext()).toBeNull();
    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(1);
    await request(t.http).delete(`/schedules/${id}`).set(bearer(staff)).expect(204);
  });

  it('treats spellings of the same schedule as one: address case, cron whitespace and names, zone case', async () => {
    const first = await create({ ...valid(), cron: '0 9 * * 1', timeZone: 'Europe/Paris' }).expect(201);
    const same = await create({
      ...valid(),
      recipient: `  ${manager.email.toUpperCase()} `,
      cron: ' 00  09 * *   MON ',
      timeZone: 'europe/paris',
    }).expect(200);
    expect(same.body).toMatchObject({ id: first.body.id, existing: true, cron: '0 9 * * 1' });
    // Another window, or a paused copy, is another schedule.
    const weekly = await create({
      ...valid(),
      cron: '0 9 * * 1',
      timeZone: 'Europe/Paris',
      windowDays: 7,
    }).expect(201);
    const paused = await create({
      ...valid(),
      cron: '0 9 * * 1',
      timeZone: 'Europe/Paris',
      enabled: false,
    }).expect(201);
    for (const id of [first.body.id, weekly.body.id, paused.body.id])
      await request(t.http).delete(`/schedules/${id}`).set(bearer(staff)).expect(204);
  });

  it('saves the zone as Intl spells it, on create and on change, as POST /exports reads one', async () => {
    const created = await create({ ...valid(), cron: '0 6 * * 3', timeZone: ' europe/paris ' }).expect(201);
    expect(created.body.timeZone).toBe('Europe/Paris');
    const changed = await request(t.http)
      .patch(`/schedules/${created.body.id}`)
      .set(bearer(staff))
      .send({ timeZone: 'asia/tokyo' })
      .expect(200);
    expect(changed.body.timeZone).toBe('Asia/Tokyo');
    const stored = await db.knex('spotlight_export_schedule').where({ id: created.body.id }).first();
    expect(stored.time_zone).toBe('Asia/Tokyo');
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it('answers 409 to a change or a resume that would duplicate another enabled schedule', async () => {
    const kept = await create({ ...valid(), cron: '0 10 * * 2', timeZone: 'UTC' }).expect(201);
    const other = await create({ ...valid(), cron: '0 11 * * 2', timeZone: 'UTC' }).expect(201);
    const patch = (changes: Record<string, unknown>) =>
      request(t.http).patch(`/schedules/${other.body.id}`).set(bearer(staff)).send(changes);

    const clash = await patch({ cron: '0 10 * * TUE' }).expect(409);
    expect(clash.body).toEqual({
      statusCode: 409,
      error: 'SCHEDULE_CONFLICT',
      message: expect.stringContaining(`Schedule ${kept.body.id} already sends this export`),
    });
    expect((await request(t.http).get(`/schedules/${other.body.id}`).set(bearer(staff))).body.cron).toBe(
      '0 11 * * 2',
    );
    // Paused, it may be identical; resuming it may not.
    await patch({ enabled: false }).expect(200);
    await patch({ cron: '0 10 * * 2' }).expect(200);
    expect((await patch({ enabled: true }).expect(409)).body.error).toBe('SCHEDULE_CONFLICT');
    await request(t.http).delete(`/schedules/${kept.body.id}`).set(bearer(staff)).expect(204);
    expect((await patch({ enabled: true }).expect(200)).body).toMatchObject({ enabled: true });
    await request(t.http).delete(`/schedules/${other.body.id}`).set(bearer(staff)).expect(204);
  });

  it.each([
    [{ cron: 'every monday' }, /cron "every monday" is not a cron expression/],
    [{ cron: '61 * * * *' }, /cron "61 \* \* \* \*" is not a cron expression/],
    [
      { timeZone: 'Mars/Olympus' },
      /^timeZone "Mars\/Olympus" is not a time zone: use an IANA name such as Europe\/Paris, or UTC\.$/,
    ],
    [{ windowDays: 0 }, /windowDays must not be less than 1/],
    [{ windowDays: 1.5 }, /windowDays must be a whole number of days/],
    [{ recipient: 'nobody' }, /recipient must be an email address/],
    [{ enabled: 'yes' }, /enabled must be a boolean/],
    [{ cron: undefined }, /cron should not be empty/],
  ])('rejects %j with a 400 that says what is wrong', async (change, message) => {
    const res = await create({ ...valid(), ...change }).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it.each([
    ['* * * * * *', /it has 6 fields; give five/],
    ['0 0 7 * * 1', /it has 6 fields; give five/],
    ['@hourly', /it has 1 field; give five/],
    ['*/5 * * * *', /comes due 5 minutes apart .*at least 60 minutes apart/],
    ['0,30 7 * * *', /comes due 30 minutes apart/],
  ])('refuses the cron %s with a 400 that says why', async (cron, message) => {
    const res = await create({ ...valid(), cron }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT' });
    expect(res.body.message).toMatch(message);
  });

  it('accepts hourly and rarer schedules, and refuses a change to a closer one', async () => {
    const hourly = await create({ ...valid(), cron: '0 * * * *', timeZone: 'Europe/Berlin' }).expect(201);
    const changed = await request(t.http)
      .patch(`/schedules/${hourly.body.id}`)
      .set(bearer(staff))
      .send({ cron: '*/5 * * * *' })
      .expect(400);
    expect(changed.body.message).toMatch(/comes due 5 minutes apart/);
    const kept = await request(t.http).get(`/schedules/${hourly.body.id}`).set(bearer(staff)).expect(200);
    expect(kept.body.cron).toBe('0 * * * *');
    await request(t.http).delete(`/schedules/${hourly.body.id}`).set(bearer(staff)).expect(204);
  });

  it('takes the shortest interval from SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES', async () => {
    const often = await startTestApp(db, smtp, { SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES: '5' });
    const daily = await startTestApp(db, smtp, { SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES: '1440' });
    try {
      // UTC: in New York a daily schedule is 23 hours apart on the day the clocks go forward.
      const post = (app: TestApp, cron: string) =>
        request(app.http)
          .post('/schedules')
          .set(bearer(staff))
          .send({ ...valid(), cron, timeZone: 'UTC' });
      const every5 = await post(often, '*/5 * * * *').expect(201);
      const every2 = await post(often, '*/2 * * * *').expect(400);
      expect(every2.body.message).toMatch(/comes due 2 minutes apart .*at least 5 minutes apart/);
      const hourly = await post(daily, '0 * * * *').expect(400);
      expect(hourly.body.message).toMatch(/at least 1440 minutes apart/);
      const once = await post(daily, '0 7 * * *').expect(201);
      for (const id of [every5.body.id, once.body.id])
        await request(t.http).delete(`/schedules/${id}`).set(bearer(staff)).expect(204);
    } finally {
      await often.close();
      await daily.close();
    }
  });

  it('never refuses to pause: a manager who lost the role can be paused, not re-enabled, and deleted', async () => {
    const leaving = await db.factory.manager({ site });
    const created = await create({ ...valid(), recipient: leaving.email }).expect(201);
    await db.knex('central_user').where({ id: leaving.id }).update({ is_active: false });
    const schedule = (changes: Record<string, unknown>) =>
      request(t.http).patch(`/schedules/${created.body.id}`).set(bearer(staff)).send(changes);

    const paused = await schedule({ enabled: false }).expect(200);
    expect(paused.body).toMatchObject({ enabled: false, nextDueAt: null, recipient: leaving.email });
    // A paused schedule may still be edited; only a new recipient is checked.
    await schedule({ windowDays: 7 }).expect(200);
    const user = await db.factory.user({ site });
    expect((await schedule({ recipient: user.email }).expect(422)).body.error).toBe('RECIPIENT_NOT_ALLOWED');

    const resumed = await schedule({ enabled: true }).expect(422);
    expect(resumed.body).toMatchObject({ error: 'RECIPIENT_NOT_ALLOWED' });
    expect(resumed.body.message).toContain('inactive');
    const row = await db.knex('spotlight_export_schedule').where({ id: created.body.id }).first();
    expect({ enabled: Boolean(Number(row.enabled)), nextDueAt: row.next_due_at }).toEqual({
      enabled: false,
      nextDueAt: null,
    });
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
    expect(await db.knex('spotlight_export_schedule').where({ id: created.body.id })).toEqual([]);
  });

  it('pauses a schedule saved before the five-field rule, and resumes it only with a five-field cron', async () => {
    const created = await create(valid()).expect(201);
    await db.knex('spotlight_export_schedule').where({ id: created.body.id }).update({ cron: '* * * * * *' });
    const schedule = (changes: Record<string, unknown>) =>
      request(t.http).patch(`/schedules/${created.body.id}`).set(bearer(staff)).send(changes);
    await schedule({ enabled: false }).expect(200);
    expect((await schedule({ enabled: true }).expect(400)).body.message).toMatch(/it has 6 fields/);
    await schedule({ enabled: true, cron: '0 7 * * 1' }).expect(200);
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it('runs the recipient guard when a schedule is saved', async () => {
    const user = await db.factory.user({ site });
    const refused = await create({ ...valid(), recipient: user.email }).expect(422);
    expect(refused.body.message).toContain('not a manager');
    const created = await create(valid()).expect(201);
    const patched = await request(t.http)
      .patch(`/schedules/${created.body.id}`)
      .set(bearer(staff))
      .send({ recipient: user.email })
      .expect(422);
    expect(patched.body.error).toBe('RECIPIENT_NOT_ALLOWED');
    const kept = await request(t.http).get(`/schedules/${created.body.id}`).set(bearer(staff)).expect(200);
    expect(kept.body.recipient).toBe(manager.email);
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it('queues one catch-up run for the latest missed due time, once, and emails it with the rolling window', async () => {
    const created = await create({ ...valid(), cron: '15 6 * * *', timeZone: 'UTC', windowDays: 7 }).expect(
      201,
    );
    await dueSince(created.body.id, new Date(Date.now() - 5 * DAY));
    expect(await scheduler.tick()).toBe(1);
    expect(await scheduler.tick()).toBe(0);

    const runs = await db.knex('spotlight_export_run').where({ schedule_id: created.body.id });
    expect(runs).toHaveLength(1);
    const today = new Date();
    const latest = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 6, 15));
    if (latest > today) latest.setUTCDate(latest.getUTCDate() - 1);
    const run = await runner.runNext();
    expect(run).toMatchObject({
      status: 'sent',
      source: 'schedule',
      scheduleId: created.body.id,
      dueAt: latest,
      until: latest,
      since: new Date(latest.getTime() - 7 * DAY),
    });
    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    // The email says which schedule sent it and how to stop it.
    expect(message.mail.text).toContain(
      `This email is sent automatically by export schedule ${created.body.id}. To stop receiving it, ask your Spotlight support contact to turn off schedule ${created.body.id}.`,
    );

    // The same due time again (a second instance, or a crash before the schedule moved on): no second run.
    await dueSince(created.body.id, new Date(Date.now() - 5 * DAY));
    expect(await scheduler.tick()).toBe(0);
    expect(await db.knex('spotlight_export_run').where({ schedule_id: created.body.id })).toHaveLength(1);
    const schedule = await request(t.http)
      .get(`/schedules/${created.body.id}`)
      .set(bearer(staff))
      .expect(200);
    expect(new Date(schedule.body.nextDueAt).getTime()).toBe(latest.getTime() + DAY);
    expect(await runner.runNext()).toBeNull();
    expect(smtp.messages).toHaveLength(1);
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it("compares a schedule's window with the one before it and lists who lapsed", async () => {
    const changing = await db.factory.site();
    const boss = await db.factory.manager({ site: changing });
    const lapsing = await db.factory.user({ site: changing, email: `lapsing@${changing.domain}` });
    const fresh = await db.factory.user({ site: changing, email: `fresh@${changing.domain}` });
    const created = await create({
      ...valid(),
      customer: changing.domain,
      recipient: boss.email,
      cron: '15 6 * * *',
      timeZone: 'UTC',
      windowDays: 7,
    }).expect(201);
    await dueSince(created.body.id, new Date(Date.now() - 5 * DAY));
    expect(await scheduler.tick()).toBe(1);
    const today = new Date();
    const latest = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 6, 15));
    if (latest > today) latest.setUTCDate(latest.getUTCDate() - 1);
    // One idea in the previous 7 days, one in the window itself.
    await db.factory.idea({
      site: changing,
      creator: lapsing,
      created: new Date(latest.getTime() - 10 * DAY),
    });
    await db.factory.idea({ site: changing, creator: fresh, created: new Date(latest.getTime() - 2 * DAY) });

    expect(await runner.runNext()).toMatchObject({
      status: 'sent',
      scheduleId: created.body.id,
      until: latest,
    });
    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([boss.email]);
    const minute = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');
    const previous = `${minute(new Date(latest.getTime() - 14 * DAY))} to ${minute(new Date(latest.getTime() - 7 * DAY))}`;
    const book = await readWorkbook(message.mail.attachments[0].content);
    expect(
      book
        .rows('Lapsed users')
        .slice(1)
        .map((row) => [row[0], row[4]]),
    ).toEqual([[lapsing.email, 'Creator']]);
    const summary = book.rows('Summary').map((row) => row.slice(0, 2));
    const at = summary.findIndex((row) => row[0] === `Change since ${previous}`);
    expect(summary.slice(at, at + 5)).toEqual([
      [`Change since ${previous}`, 'Users'],
      ['New', 1],
      ['Retained', 0],
      ['Lapsed', 1],
      ['Idle in both', 1],
    ]);
    expect(
      book
        .rows('Active users')
        .slice(1)
        .map((row) => [row[0], row[4]]),
    ).toEqual([[fresh.email, 'Idle']]);
    expect(message.mail.text).toContain(`New: 1 (active in this period, not in ${previous})`);
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it('fires nothing for a disabled schedule', async () => {
    const created = await create({ ...valid(), cron: '0 * * * *', enabled: false }).expect(201);
    await dueSince(created.body.id, new Date(Date.now() - DAY));
    expect(await scheduler.tick()).toBe(0);
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it("sends a scheduled export with dates in the schedule's time zone", async () => {
    const created = await create({
      ...valid(),
      cron: '0 * * * *',
      timeZone: 'Asia/Tokyo',
      windowDays: 7,
    }).expect(201);
    await dueSince(created.body.id, new Date(Date.now() - DAY));
    expect(await scheduler.tick()).toBe(1);
    const run = await runner.runNext();
    expect(run).toMatchObject({ status: 'sent', scheduleId: created.body.id, timeZone: 'Asia/Tokyo' });
    const [message] = await smtp.waitFor(1);
    expect(message.mail.text).toMatch(/^Period: .+, dates in Asia\/Tokyo$/m);
    expect(message.mail.text).toMatch(/^Generated: \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Tokyo\)$/m);
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });

  it('stops sending to a manager who lost the role, and the run records why', async () => {
    const leaving = await db.factory.manager({ site });
    const created = await create({
      ...valid(),
      recipient: leaving.email,
      cron: '0 * * * *',
      timeZone: 'Europe/Berlin',
    }).expect(201);
    await db.knex('central_user').where({ id: leaving.id }).update({ is_active: false });
    await dueSince(created.body.id, new Date(Date.now() - DAY));
    expect(await scheduler.tick()).toBe(1);
    const run = await runner.runNext();
    expect(run).toMatchObject({
      status: 'failed',
      scheduleId: created.body.id,
      error: expect.stringContaining('inactive'),
    });
    const history = await request(t.http)
      .get(`/exports?customer=${site.domain}&status=failed`)
      .set(bearer(staff))
      .expect(200);
    expect(history.body.items[0]).toMatchObject({
      id: run!.id,
      source: 'schedule',
      error: expect.stringContaining(leaving.email),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(0);
    await request(t.http).delete(`/schedules/${created.body.id}`).set(bearer(staff)).expect(204);
  });
});
