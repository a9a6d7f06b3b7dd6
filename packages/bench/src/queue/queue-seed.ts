import type { Knex } from 'knex';
import { RUN_TABLE, SCHEDULE_TABLE, TokenRepository, TokenService } from '@spotlight/core';
import { generateCustomer } from '@spotlight/seed';

const DAY_MS = 86_400_000;
/** Rows per multi-row INSERT: a few hundred KB of SQL, far below max_allowed_packet. */
const BATCH = 2_000;
/** History stays inside the server's default retention (400 days), so no cleanup runs during the bench. */
const HISTORY_DAYS = 390;
/** The zone every schedule's cron is in: the whole wave comes due at one local time. */
export const WAVE_TIME_ZONE = 'Europe/Berlin';

export interface BenchCustomer {
  domain: string;
  managerEmail: string;
  users: number;
}

/**
 * Small customers made by the generator `spotlight db seed` uses, one
 * transaction each and one after the other (the generator allocates ids from
 * what the tables hold): 5 to 20 users, no noise sites.
 */
export async function seedCustomers(db: Knex, count: number, prefix: string): Promise<BenchCustomer[]> {
  const customers: BenchCustomer[] = [];
  for (let i = 0; i < count; i += 1) {
    const users = 5 + ((i * 7) % 16);
    const report = await generateCustomer(db, {
      users,
      seed: 1_000 + i,
      domain: `${prefix}-${i + 1}.bench.example.com`,
      noiseSites: 0,
    });
    customers.push({ domain: report.site.domain, managerEmail: report.managerEmail, users });
  }
  return customers;
}

/** A staff token for `POST /exports`; its id is also who saved the schedules. */
export async function createStaffToken(db: Knex): Promise<{ id: number; token: string }> {
  const created = await new TokenService(new TokenRepository(db)).create({
    staff: true,
    label: 'queue bench',
  });
  return { id: created.record.id, token: created.token };
}

/**
 * One enabled schedule per customer, with no next due time yet: none comes
 * due until {@link makeDue} sets one, once the servers are up.
 */
export async function insertSchedules(
  db: Knex,
  customers: BenchCustomer[],
  tokenId: number,
): Promise<number[]> {
  const now = new Date();
  const ids: number[] = [];
  for (let start = 0; start < customers.length; start += BATCH) {
    const rows = customers.slice(start, start + BATCH).map((customer) => ({
      customer: customer.domain,
      recipient: customer.managerEmail,
      cron: '0 9 * * *',
      time_zone: WAVE_TIME_ZONE,
      window_days: 30,
      enabled: true,
      next_due_at: null,
      created_by_token_id: tokenId,
      updated_by_token_id: tokenId,
      created_at: now,
      updated_at: now,
    }));
    await db(SCHEDULE_TABLE).insert(rows);
  }
  for (const row of await db(SCHEDULE_TABLE).select('id').orderBy('id')) ids.push(Number(row.id));
  return ids;
}

/** Every schedule comes due at `dueAt`: its cron names that local minute, and its next due time is it. */
export async function makeDue(db: Knex, dueAt: Date): Promise<string> {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: WAVE_TIME_ZONE,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(dueAt);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const cron = `${part('minute')} ${part('hour')} * * *`;
  await db(SCHEDULE_TABLE).update({ cron, next_due_at: dueAt });
  return cron;
}

/**
 * `count` finished runs, as months of daily schedules leave them: each
 * schedule's earlier due times, newest first, 2% of them failed; what does not
 * fit in {@link HISTORY_DAYS} days of the schedules becomes API runs spread
 * over the same days. Multi-row INSERTs of {@link BATCH} rows.
 */
export async function seedHistory(
  db: Knex,
  count: number,
  schedules: Array<{ id: number; customer: BenchCustomer }>,
): Promise<void> {
  const today = new Date();
  today.setUTCHours(7, 0, 0, 0);
  const scheduled = Math.min(count, schedules.length * HISTORY_DAYS);
  const row = (i: number) => {
    const failed = i % 50 === 49;
    let base: Record<string, unknown>;
    let at: Date;
    if (i < scheduled) {
      const schedule = schedules[i % schedules.length];
      at = new Date(today.getTime() - (Math.floor(i / schedules.length) + 1) * DAY_MS);
      base = {
        customer: schedule.customer.domain,
        recipient: schedule.customer.managerEmail,
        source: 'schedule',
        schedule_id: schedule.id,
        due_at: at,
        since: new Date(at.getTime() - 30 * DAY_MS),
        until: at,
      };
    } else {
      const customer = schedules[i % schedules.length].customer;
      at = new Date(today.getTime() - (1 + (i % HISTORY_DAYS)) * DAY_MS + (i % 3_600) * 1_000);
      base = { customer: customer.domain, recipient: customer.managerEmail, source: 'api' };
    }
    const finished = new Date(at.getTime() + 1_500 + (i % 7) * 100);
    return {
      ...base,
      status: failed ? 'failed' : 'sent',
      time_zone: WAVE_TIME_ZONE,
      token_id: null,
      attempts: failed ? 3 : 1,
      next_attempt_at: at,
      ready_at: at,
      active_users: failed ? null : 3 + (i % 9),
      inactive_users: failed ? null : 2 + (i % 5),
      bytes: failed ? null : 9_000 + (i % 2_000),
      queries: failed ? null : 5,
      duration_ms: finished.getTime() - at.getTime(),
      message_id: failed ? null : `<history-${i}@bench.example.com>`,
      delivery: failed ? null : 'attachment',
      error: failed ? 'Mail server refused the message: 451 try again later' : null,
      error_code: failed ? 'MAIL_FAILED' : null,
      created_at: at,
      started_at: at,
      finished_at: finished,
    };
  };
  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(count, start + BATCH);
    await db(RUN_TABLE).insert(Array.from({ length: end - start }, (_, k) => row(start + k)));
  }
}
