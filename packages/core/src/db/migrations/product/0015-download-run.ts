import type { Knex } from 'knex';

/**
 * Which export run kept a download, so the console can fetch a run's workbook
 * while it is kept without the link's token (which is never stored). Null for
 * downloads kept before this migration and for exports run outside the server.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_downloads', (table) => {
    table.integer('run_id').nullable();
    table.index(['run_id'], 'spotlight_export_downloads_run_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_downloads', (table) => {
    table.dropIndex(['run_id'], 'spotlight_export_downloads_run_idx');
  });
  await knex.schema.alterTable('spotlight_export_downloads', (table) => {
    table.dropColumn('run_id');
  });
}
