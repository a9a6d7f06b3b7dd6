import type { Knex } from 'knex';
import { scheduleIdentityKey } from '../../../schedules/schedule-identity';

const INDEX = 'spotlight_export_schedule_identity_unique';

/**
 * Identical enabled schedules are one schedule: `identity_key` holds
 * {@link scheduleIdentityKey} while a schedule is enabled and NULL while it is
 * paused, and its unique index makes "already scheduled" atomic across
 * requests and instances (NULLs never collide, on MariaDB as on SQLite).
 *
 * This changes existing data: where enabled schedules are already identical,
 * the oldest keeps its key and stays enabled, and each later copy is PAUSED
 * (it mailed the same workbook to the same manager at the same time), with a
 * `schedule.pause` entry in the audit trail naming the schedule it duplicated.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_schedule', (table) => {
    table.string('identity_key', 64).nullable();
  });
  const enabled = await knex('spotlight_export_schedule')
    .where({ enabled: true })
    .orderBy('created_at')
    .orderBy('id')
    .select('id', 'customer', 'recipient', 'cron', 'time_zone', 'window_days');
  const kept = new Map<string, number>();
  const now = new Date();
  for (const row of enabled) {
    const key = scheduleIdentityKey({
      customer: row.customer,
      recipient: row.recipient,
      cron: row.cron,
      timeZone: row.time_zone,
      windowDays: row.window_days === null ? null : Number(row.window_days),
    });
    const original = kept.get(key);
    if (original === undefined) {
      kept.set(key, Number(row.id));
      await knex('spotlight_export_schedule').where({ id: row.id }).update({ identity_key: key });
      continue;
    }
    await knex('spotlight_export_schedule')
      .where({ id: row.id })
      .update({ enabled: false, next_due_at: null, updated_by_token_id: null, updated_at: now });
    await knex('spotlight_export_audit').insert({
      token_id: null,
      action: 'schedule.pause',
      target: `schedule:${row.id}`,
      detail: JSON.stringify({ by: 'system', duplicateOf: original }),
      at: now,
    });
  }
  await knex.schema.alterTable('spotlight_export_schedule', (table) => {
    table.unique(['identity_key'], { indexName: INDEX });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_schedule', (table) => {
    table.dropUnique(['identity_key'], INDEX);
  });
  await knex.schema.alterTable('spotlight_export_schedule', (table) => {
    table.dropColumn('identity_key');
  });
}
