import os from 'node:os';
import {
  AuditEntryModel,
  RUN_TABLE,
  ScheduleModel,
  scheduleIdentityKey,
  type AuditRecord,
  type ScheduleRecord,
} from '@spotlight/core';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { expectSuccess, parseJson, runCli } from '../../__fixtures__/run-cli';
import type { JsonFailure } from '../../base-command';
import type { ExportsListResult } from '../exports/list';
import type { ScheduleChangeResult, ScheduleEntry, ShownSchedule } from '../../schedules';
import type { SchedulesListResult } from './list';
import type { SchedulesRunResult } from './run';

const DAY_MS = 86_400_000;
/** The wall clock of New York to the second, as "2026-03-23 07:00:00". */
const newYork = (at: number) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'America/New_York',
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(at);

describeEachDatabase('spotlight schedules', (db) => {
  let acme: SiteRow;
  let other: SiteRow;
  let boss: UserRow;
  const env = () => ({ DATABASE_URL: db.url });

  beforeAll(async () => {
    acme = await db.factory.site({ domain: `acme-${Date.now()}.example.com`, name: 'Acme' });
    other = await db.factory.site({ domain: `other-${Date.now()}.example.org`, name: 'Other' });
    boss = await db.factory.manager({ site: acme, email: `boss@${acme.domain}` });
    await db.factory.manager({ site: other, email: `chief@${other.domain}` });
  });

  async function schedule(fields: Partial<ScheduleRecord> = {}): Promise<ScheduleRecord> {
    const now = new Date();
    return ScheduleModel.query(db.knex).insert({
      customer: acme.domain,
      recipient: boss.email,
      cron: '0 7 * * 1',
      timeZone: 'Europe/Berlin',
      windowDays: null,
      enabled: true,
      nextDueAt: new Date(now.getTime() + DAY_MS),
      createdByTokenId: null,
      updatedByTokenId: null,
      createdAt: now,
      updatedAt: now,
      ...fields,
    });
  }

  const stored = async (id: number) => (await ScheduleModel.query(db.knex).findById(id))!;
  const auditOf = async (id: number): Promise<AuditRecord[]> =>
    await AuditEntryModel.query(db.knex)
      .where({ target: `schedule:${id}` })
      .orderBy('id');
  const runsOf = (id: number) => db.knex(RUN_TABLE).where({ schedule_id: id });

  async function json<T>(args: string[], exitCode = 0): Promise<T> {
    const run = await runCli([...args, '--json'], env());
    if (run.code !== exitCode)
      throw new Error(`exit ${run.code}, not ${exitCode}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    return parseJson<T>(run);
  }

  it('lists the schedules, by customer and by status, and shows one', async () => {
    const enabled = await schedule({ windowDays: 30 });
    const paused = await schedule({ enabled: false, nextDueAt: null });
    const elsewhere = await schedule({ customer: other.domain, recipient: `chief@${other.domain}` });

    const all = await json<SchedulesListResult>(['schedules', 'list']);
    expect(all.schedules.map((entry) => entry.id)).toEqual(
      expect.arrayContaining([enabled.id, paused.id, elsewhere.id]),
    );
    const acmeEnabled = await json<SchedulesListResult>([
      'schedules',
      'list',
      '-c',
      ` ${acme.domain.toUpperCase()} `,
      '--status',
      'enabled',
    ]);
    expect(acmeEnabled.schedules.map((entry) => entry.id)).toEqual([enabled.id]);
    expect(acmeEnabled.schedules[0]).toEqual({
      id: enabled.id,
      customer: acme.domain,
      recipient: boss.email,
      cron: '0 7 * * 1',
      timeZone: 'Europe/Berlin',
      windowDays: 30,
      status: 'enabled',
      nextDueAt: enabled.nextDueAt!.toISOString(),
      createdAt: expect.any(String) as string,
      updatedAt: expect.any(String) as string,
    });
    const acmePaused = await json<SchedulesListResult>([
      'schedules',
      'list',
      '-c',
      acme.domain,
      '--status',
      'paused',
    ]);
    expect(acmePaused.schedules.map((entry) => entry.id)).toEqual([paused.id]);

    const text = await runCli(['schedules', 'list', '-c', acme.domain], env());
    expectSuccess(text);
    expect(text.stdout).toMatch(/^ID +CUSTOMER +RECIPIENT +CRON +TIME ZONE +STATUS +NEXT DUE\n/);
    expect(text.stdout).toContain(`${paused.id}`);

    const shown = await json<ScheduleEntry>(['schedules', 'show', String(paused.id)]);
    expect(shown).toMatchObject({ id: paused.id, status: 'paused', nextDueAt: null });
  });

  it('refuses an unknown or malformed id in one line, exit 2', async () => {
    const unknown = await runCli(['schedules', 'show', '999999'], env());
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([
      2,
      '',
      'Error: No schedule has the id 999999; "spotlight schedules list" shows them.\n',
    ]);
    const malformed = await json<JsonFailure>(['schedules', 'pause', 'abc'], 2);
    expect(malformed.error.code).toBe('INVALID_INPUT');
  });

  it('pauses a schedule once, recording who and why; a second pause changes nothing', async () => {
    const created = await schedule();
    const paused = await json<ScheduleChangeResult>([
      'schedules',
      'pause',
      String(created.id),
      '--reason',
      'manager on leave',
      '--operator',
      'jane',
    ]);
    expect(paused).toMatchObject({
      changed: true,
      schedule: { id: created.id, status: 'paused', nextDueAt: null },
    });
    expect(await stored(created.id)).toMatchObject({ enabled: false, nextDueAt: null });

    const again = await json<ScheduleChangeResult>(['schedules', 'pause', String(created.id)]);
    expect(again.changed).toBe(false);
    const audit = await auditOf(created.id);
    expect(audit.map(({ action, tokenId, detail }) => ({ action, tokenId, detail }))).toEqual([
      {
        action: 'schedule.pause',
        tokenId: null,
        detail: {
          operator: 'jane',
          reason: 'manager on leave',
          customer: acme.domain,
          recipient: boss.email,
        },
      },
    ]);

    // show says why, as the API and the console do.
    const shown = await runCli(['schedules', 'show', String(created.id)], env());
    expectSuccess(shown);
    expect(shown.stdout).toContain('\n  cron 0 7 * * 1 (Europe/Berlin): At 07:00, only on Monday\n');
    expect(shown.stdout).toMatch(
      /\n {2}paused by support at \d{4}-\d\d-\d\dT[\d:.]+Z: manager on leave\n {2}last run - \(none yet\)\n$/,
    );
    const shownJson = await json<ShownSchedule>(['schedules', 'show', String(created.id)]);
    expect(shownJson).toMatchObject({
      status: 'paused',
      pause: { by: 'support', tokenId: null, reason: 'manager on leave', at: expect.any(String) as string },
      lastRun: null,
    });
  });

  it('resumes a paused schedule from its next due time, recording the OS user', async () => {
    const created = await schedule({ enabled: false, nextDueAt: null });
    const before = Date.now();
    const resumed = await json<ScheduleChangeResult>(['schedules', 'resume', String(created.id)]);
    expect(resumed).toMatchObject({ changed: true, schedule: { status: 'enabled' } });
    const { enabled, nextDueAt } = await stored(created.id);
    expect(enabled).toBe(true);
    // "0 7 * * 1" in Berlin: a Monday at 07:00 local time, within the coming week.
    expect(nextDueAt!.getTime()).toBeGreaterThan(before);
    expect(nextDueAt!.getTime()).toBeLessThanOrEqual(before + 7 * DAY_MS);
    expect(nextDueAt!.getUTCDay()).toBe(1);
    expect(resumed.schedule.nextDueAt).toBe(nextDueAt!.toISOString());
    const audit = await auditOf(created.id);
    expect(audit.map(({ action, detail }) => ({ action, operator: detail?.operator }))).toEqual([
      { action: 'schedule.resume', operator: os.userInfo().username },
    ]);
  });

  it('frees the identity on pause and takes it back on resume, as the API does, refusing a resume that would duplicate', async () => {
    const fields = { cron: '15 6 * * 3', timeZone: 'UTC', windowDays: 14 };
    const key = scheduleIdentityKey({ customer: acme.domain, recipient: boss.email, ...fields });
    // Saved as the API saves an enabled schedule: holding its identity.
    const created = await schedule({ ...fields, identityKey: key });
    await json<ScheduleChangeResult>(['schedules', 'pause', String(created.id)]);
    expect((await stored(created.id)).identityKey).toBeNull();

    // Paused, it is no longer that schedule: an identical one may be created, as after an API pause.
    const twin = await schedule({ ...fields, identityKey: key });
    const refused = await runCli(['schedules', 'resume', String(created.id)], env());
    expect([refused.code, refused.stdout]).toEqual([2, '']);
    expect(refused.stderr).toBe(
      `Error: Schedule ${twin.id} already sends this export (same customer, recipient, cron, time zone and window); change one of them, or pause or delete schedule ${twin.id} first.\n`,
    );
    expect(await stored(created.id)).toMatchObject({ enabled: false, nextDueAt: null, identityKey: null });
    expect((await auditOf(created.id)).map(({ action }) => action)).toEqual(['schedule.pause']);

    await json<ScheduleChangeResult>(['schedules', 'pause', String(twin.id)]);
    const resumed = await json<ScheduleChangeResult>(['schedules', 'resume', String(created.id)]);
    expect(resumed).toMatchObject({ changed: true, schedule: { status: 'enabled' } });
    expect(await stored(created.id)).toMatchObject({ enabled: true, identityKey: key });
    // Enabled again, it is the schedule: the twin cannot be resumed beside it.
    const clash = await json<JsonFailure>(['schedules', 'resume', String(twin.id)], 2);
    expect(clash.error).toMatchObject({ code: 'SCHEDULE_CONFLICT' });
    expect(clash.error.message).toContain(`Schedule ${created.id} already sends this export`);
  });

  it('refuses to resume, or run, a schedule whose recipient is no longer an active manager of its customer', async () => {
    const former = await db.factory.manager({ site: acme, email: `former-${Date.now()}@${acme.domain}` });
    const created = await schedule({ recipient: former.email, enabled: false, nextDueAt: null });
    await db.knex('central_user').where({ id: former.id }).update({ is_active: false });
    // Another customer's manager is not this customer's.
    const foreign = await schedule({ recipient: `chief@${other.domain}`, enabled: false, nextDueAt: null });

    for (const id of [created.id, foreign.id]) {
      for (const verb of ['resume', 'run']) {
        const refused = await runCli(['schedules', verb, String(id)], env());
        expect([refused.code, refused.stdout]).toEqual([4, '']);
        expect(refused.stderr).toMatch(/^Error: [^\n]+\n$/);
      }
      expect(await stored(id)).toMatchObject({ enabled: false, nextDueAt: null });
      expect(await auditOf(id)).toEqual([]);
      expect(await runsOf(id)).toEqual([]);
    }
  });

  it('queues one run of a schedule now, for the server to send, as the scheduler would', async () => {
    const created = await schedule({
      windowDays: 7,
      timeZone: 'America/New_York',
      enabled: false,
      nextDueAt: null,
    });
    const before = Date.now();
    const queued = await json<SchedulesRunResult>([
      'schedules',
      'run',
      String(created.id),
      '--operator',
      'jane',
    ]);
    const runs = await runsOf(created.id);
    expect(runs).toHaveLength(1);
    const [row] = runs as Array<Record<string, unknown>>;
    expect(row).toMatchObject({
      id: queued.runId,
      status: 'queued',
      source: 'schedule',
      operator: 'jane',
      customer: acme.domain,
      recipient: boss.email,
      time_zone: 'America/New_York',
    });
    const until = new Date(queued.until!).getTime();
    expect(until).toBeGreaterThanOrEqual(before);
    expect(until).toBeLessThanOrEqual(Date.now());
    // Seven whole days of New York: the same wall-clock time seven dates earlier, whatever the clocks did.
    const since = new Date(queued.since!).getTime();
    const [sinceDay, sinceTime] = newYork(since).split(' ');
    const [untilDay, untilTime] = newYork(until).split(' ');
    expect(sinceTime).toBe(untilTime);
    expect(since % 1000).toBe(until % 1000);
    expect(Date.parse(`${untilDay}T00:00Z`) - Date.parse(`${sinceDay}T00:00Z`)).toBe(7 * DAY_MS);
    // Running it does not resume it.
    expect((await stored(created.id)).enabled).toBe(false);
    const audit = await auditOf(created.id);
    expect(
      audit.map(({ action, detail }) => ({ action, operator: detail?.operator, run: detail?.run })),
    ).toEqual([{ action: 'schedule.run', operator: 'jane', run: queued.runId }]);

    const listed = await json<ExportsListResult>(['exports', 'list', '--source', 'schedule']);
    expect(listed.exports.find((entry) => entry.id === queued.runId)).toMatchObject({
      status: 'queued',
      operator: 'jane',
    });
    const shown = await runCli(['schedules', 'show', String(created.id)], env());
    expectSuccess(shown);
    expect(shown.stdout).toContain(`\n  last run ${queued.runId}: queued\n`);
    expect((await json<ShownSchedule>(['schedules', 'show', String(created.id)])).lastRun).toEqual({
      id: queued.runId,
      status: 'queued',
      finishedAt: null,
      errorCode: null,
    });
  });
});
