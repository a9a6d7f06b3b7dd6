import { isUniqueViolation } from '../db/unique-violation';
import * as scheduleIdentity from '../db/migrations/product/0010-schedule-identity';
import { createTestDatabase, enabledDialects } from '../testing';
import { scheduleIdentityKey } from './schedule-identity';

interface ScheduleRow {
  id: number;
  enabled: unknown;
  identity_key: string | null;
  next_due_at: unknown;
}

describe.each(enabledDialects())('schedule identity migration [%s]', (dialect) => {
  it('keys existing enabled schedules, keeps the oldest of identical ones and pauses the others, on the record', async () => {
    const db = await createTestDatabase(dialect);
    try {
      await scheduleIdentity.down(db.knex);
      const base = {
        customer: 'example.com',
        recipient: 'manager@example.com',
        cron: '0 7 * * 1',
        time_zone: 'UTC',
        window_days: 30,
        enabled: true,
        next_due_at: new Date('2030-01-07T07:00:00Z'),
      };
      const insert = async (row: Record<string, unknown>, createdAt: string) => {
        const [id] = await db
          .knex('spotlight_export_schedule')
          .insert({ ...base, ...row, created_at: new Date(createdAt), updated_at: new Date(createdAt) });
        return Number(id);
      };
      // Inserted newest first, so that the oldest is not simply the lowest id.
      const copy = await insert({ recipient: 'Manager@Example.com', cron: '0 7 * * MON' }, '2026-03-01');
      const oldest = await insert({}, '2026-01-01');
      const other = await insert({ window_days: 7 }, '2026-02-01');
      const paused = await insert({ enabled: false, next_due_at: null }, '2025-12-01');

      await scheduleIdentity.up(db.knex);

      const rows: ScheduleRow[] = await db.knex('spotlight_export_schedule').orderBy('id');
      const byId = new Map(rows.map((row) => [Number(row.id), row]));
      const row = (id: number): ScheduleRow => byId.get(id)!;
      const key = scheduleIdentityKey({ ...base, timeZone: 'UTC', windowDays: 30 });
      expect(row(oldest)).toMatchObject({ identity_key: key });
      expect(Boolean(Number(row(oldest).enabled))).toBe(true);
      expect(row(other).identity_key).toMatch(/^[0-9a-f]{64}$/);
      expect(row(other).identity_key).not.toBe(key);
      expect(row(copy)).toMatchObject({ identity_key: null, next_due_at: null });
      expect(Boolean(Number(row(copy).enabled))).toBe(false);
      expect(row(paused)).toMatchObject({ identity_key: null });

      const audit = await db.knex('spotlight_export_audit').where({ target: `schedule:${copy}` });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'schedule.pause', token_id: null });
      expect(JSON.parse(audit[0].detail)).toEqual({ by: 'system', duplicateOf: oldest });

      const duplicate = await insert({ identity_key: key }, '2026-04-01').catch((error: unknown) => error);
      expect(isUniqueViolation(duplicate)).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
