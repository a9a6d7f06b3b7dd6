import type { Knex } from 'knex';

/** The zone a queued export shows its dates in, so a run sends what was asked for (UTC for older rows). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.string('time_zone', 64).notNullable().defaultTo('UTC');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropColumn('time_zone');
  });
}
