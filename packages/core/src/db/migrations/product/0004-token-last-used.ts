import type { Knex } from 'knex';

/** When each API token last authenticated, so that `spotlight token list` can show unused tokens. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_token', (table) => {
    table.datetime('last_used_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_token', (table) => {
    table.dropColumn('last_used_at');
  });
}
