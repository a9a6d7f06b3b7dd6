import type { Knex } from 'knex';

/**
 * Old runs are deleted by when they finished, in small batches: without an
 * index each batch would scan the whole history.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.index(['finished_at'], 'spotlight_export_run_finished_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropIndex(['finished_at'], 'spotlight_export_run_finished_idx');
  });
}
