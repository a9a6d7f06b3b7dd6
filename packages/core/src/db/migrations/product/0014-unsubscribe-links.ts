import type { Knex } from 'knex';

/**
 * One-click unsubscribe links in scheduled emails. The links are signed with
 * SPOTLIGHT_SIGNING_SECRET or, when that is unset, with the one secret kept
 * here (one row, id 1: the first instance to need it inserts it, every other
 * one reads it back), so that every instance signs and verifies alike.
 * `link_generation` is part of every link and goes up when a schedule is
 * resumed, so links mailed before stop working; `paused_by` says who paused
 * a schedule when that was not support ('recipient': its own link).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('spotlight_export_signing_secret', (table) => {
    table.integer('id').primary();
    table.string('secret', 64).notNullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
  });
  await knex.schema.alterTable('spotlight_export_schedule', (table) => {
    table.integer('link_generation').notNullable().defaultTo(0);
    table.string('paused_by', 20).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_schedule', (table) => {
    table.dropColumn('paused_by');
  });
  await knex.schema.alterTable('spotlight_export_schedule', (table) => {
    table.dropColumn('link_generation');
  });
  await knex.schema.dropTable('spotlight_export_signing_secret');
}
