import type { Knex } from 'knex';

/**
 * A schedule's card says why it is paused, from the newest audit entry that
 * paused it: with this index those entries are read by their target instead
 * of the whole trail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_audit', (table) => {
    table.index(['target', 'id'], 'spotlight_export_audit_target_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_audit', (table) => {
    table.dropIndex(['target', 'id'], 'spotlight_export_audit_target_idx');
  });
}
