import type { Knex } from 'knex';

/**
 * On-demand exports are claimed ahead of scheduled ones: `priority` orders
 * the queue (lower first: 0 for on-demand, 1 for scheduled), and the claim
 * reads due runs by (status, priority, next_attempt_at) in index order.
 * Only pending scheduled runs need the new value; finished ones never queue again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.tinyint('priority').notNullable().defaultTo(0);
  });
  await knex('spotlight_export_run')
    .where({ source: 'schedule' })
    .whereIn('status', ['queued', 'running'])
    .update({ priority: 1 });
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.index(['status', 'priority', 'next_attempt_at'], 'spotlight_export_run_status_priority_next_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropIndex(
      ['status', 'priority', 'next_attempt_at'],
      'spotlight_export_run_status_priority_next_idx',
    );
  });
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropColumn('priority');
  });
}
