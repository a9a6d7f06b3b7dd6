import type { Knex } from 'knex';
import { dialectOf } from '../../connection';

/**
 * A run whose email may have arrived though the mail server's answer was lost
 * is `unconfirmed` (11 characters: the status column held 10), and a resend
 * names the run it sends again.
 */
export async function up(knex: Knex): Promise<void> {
  // SQLite does not enforce a varchar's length; rebuilding the table for it would gain nothing.
  if (dialectOf(knex) === 'mysql') {
    await knex.schema.alterTable('spotlight_export_run', (table) => {
      table.string('status', 16).notNullable().alter();
    });
  }
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.integer('resend_of').unsigned().nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('spotlight_export_run', (table) => {
    table.dropColumn('resend_of');
  });
}
