import type { Knex } from 'knex';

/**
 * The product's own tables: API tokens, export schedules, export runs and the
 * audit trail. Datetimes are UTC with millisecond precision.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('spotlight_export_token', (table) => {
    table.increments('id');
    // SHA-256 of the token, hex: the token itself is shown once and never stored.
    table.string('token_hash', 64).notNullable().unique();
    // The first characters of the token, so a person can tell tokens apart.
    table.string('token_prefix', 16).notNullable();
    table.string('scope', 10).notNullable();
    table.string('site_domain', 100).nullable();
    table.string('label', 200).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('revoked_at', { precision: 3 }).nullable();
  });

  await knex.schema.createTable('spotlight_export_schedule', (table) => {
    table.increments('id');
    table.string('customer', 100).notNullable().index();
    table.string('recipient', 254).notNullable();
    table.string('cron', 120).notNullable();
    table.string('time_zone', 64).notNullable();
    table.integer('window_days').nullable();
    table.boolean('enabled').notNullable().defaultTo(true);
    table.datetime('next_due_at', { precision: 3 }).nullable().index();
    table.integer('created_by_token_id').nullable();
    table.integer('updated_by_token_id').nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('updated_at', { precision: 3 }).notNullable();
  });

  await knex.schema.createTable('spotlight_export_run', (table) => {
    table.increments('id');
    table.string('customer', 100).notNullable();
    table.string('recipient', 254).notNullable();
    table.datetime('since', { precision: 3 }).nullable();
    table.datetime('until', { precision: 3 }).nullable();
    table.string('status', 10).notNullable();
    table.string('trigger_kind', 10).notNullable();
    table.integer('schedule_id').nullable();
    table.datetime('due_at', { precision: 3 }).nullable();
    // Set only while an API run is queued or running: the unique index makes
    // "same export already pending" atomic. NULLs never collide.
    table.string('pending_key', 500).nullable().unique();
    table.integer('token_id').nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.datetime('next_attempt_at', { precision: 3 }).notNullable();
    table.string('claimed_by', 100).nullable();
    table.string('claim_token', 36).nullable().unique();
    table.datetime('lease_expires_at', { precision: 3 }).nullable();
    table.datetime('delivery_started_at', { precision: 3 }).nullable();
    table.integer('active_users').nullable();
    table.integer('inactive_users').nullable();
    table.integer('bytes').nullable();
    table.integer('queries').nullable();
    table.integer('duration_ms').nullable();
    table.string('message_id', 250).nullable();
    table.text('error').nullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('started_at', { precision: 3 }).nullable();
    table.datetime('finished_at', { precision: 3 }).nullable();
    // Exactly one run per schedule and due time, whichever instance inserts it first.
    table.unique(['schedule_id', 'due_at'], { indexName: 'spotlight_export_run_schedule_due_unique' });
    table.index(['status', 'next_attempt_at'], 'spotlight_export_run_status_next_idx');
    table.index(['customer', 'id'], 'spotlight_export_run_customer_idx');
  });

  await knex.schema.createTable('spotlight_export_audit', (table) => {
    table.increments('id');
    table.integer('token_id').nullable().index();
    table.string('action', 40).notNullable();
    table.string('target', 200).notNullable();
    table.text('detail').nullable();
    table.datetime('at', { precision: 3 }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'spotlight_export_audit',
    'spotlight_export_run',
    'spotlight_export_schedule',
    'spotlight_export_token',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
