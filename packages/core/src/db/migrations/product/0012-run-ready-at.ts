import type { Knex } from 'knex';

/**
 * When a run became due (could first be claimed), kept as it was: retries
 * and waits for a customer's lock move `next_attempt_at`, not this. A wait
 * for the lock is bounded from it, and the queue's oldest age is read from
 * it, by (status, ready_at) alone. Rows from before are given their
 * creation time, or their next attempt if they were never tried.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.datetime('ready_at', { precision: 3 }).nullable();
  });
  await knex('spotlight_export_run').update({ ready_at: knex.ref('created_at') });
  await knex('spotlight_export_run')
    .where({ status: 'queued', attempts: 0 })
    .whereNull('error')
    .update({ ready_at: knex.ref('next_attempt_at') });
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.index(['status', 'ready_at'], 'spotlight_export_run_status_ready_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropIndex(['status', 'ready_at'], 'spotlight_export_run_status_ready_idx');
  });
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropColumn('ready_at');
  });
}
