import type { Knex } from 'knex';

/**
 * Failure notices that could not be delivered yet (the mail server that failed
 * the export failed the notice too, say). They wait here, not in a process's
 * memory, so they survive a restart, and any instance may claim one and retry
 * it, by the next_attempt_at index, until it gets through or give_up_at passes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('spotlight_export_pending_alert', (table) => {
    table.increments('id');
    table.integer('run_id').notNullable();
    table.string('channel', 10).notNullable();
    table.string('target', 254).nullable();
    table.text('event').notNullable();
    table.integer('attempts').notNullable();
    table.datetime('next_attempt_at', { precision: 3 }).notNullable().index();
    table.datetime('give_up_at', { precision: 3 }).notNullable();
    table.string('claim_token', 36).nullable();
    table.text('last_error').nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('spotlight_export_pending_alert');
}
