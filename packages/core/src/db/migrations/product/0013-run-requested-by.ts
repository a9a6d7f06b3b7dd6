import type { Knex } from 'knex';

/**
 * Whom the email names as having asked for a queued export (`requestedBy`):
 * the worker that sends it later needs it. Null: "Spotlight support".
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.string('requested_by', 200).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropColumn('requested_by');
  });
}
