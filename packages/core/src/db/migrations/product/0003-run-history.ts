import type { Knex } from 'knex';

/**
 * One history for every export, whoever asked: the CLI records its exports
 * here too. `trigger_kind` becomes `source` (cli, api, schedule); a run says
 * who ran it from the CLI, how the workbook travelled, until when a link
 * works, and why it failed as a stable code beside the one-line message.
 *
 * `spotlight_export_lock` holds one row per customer being exported by email,
 * naming the holder, so that a second export is refused with who and since when.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.renameColumn('trigger_kind', 'source');
  });
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.string('operator', 200).nullable();
    table.string('delivery', 10).nullable();
    table.datetime('link_expires_at', { precision: 3 }).nullable();
    table.string('error_code', 40).nullable();
    table.index(['source', 'id'], 'spotlight_export_run_source_idx');
  });
  await knex.schema.createTable('spotlight_export_lock', (table) => {
    table.string('customer', 100).primary();
    table.string('holder', 200).notNullable();
    table.string('host', 100).notNullable();
    table.integer('pid').notNullable();
    table.string('lock_token', 36).notNullable();
    table.datetime('acquired_at', { precision: 3 }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('spotlight_export_lock');
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropIndex(['source', 'id'], 'spotlight_export_run_source_idx');
    table.dropColumn('operator');
    table.dropColumn('delivery');
    table.dropColumn('link_expires_at');
    table.dropColumn('error_code');
  });
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.renameColumn('source', 'trigger_kind');
  });
}
