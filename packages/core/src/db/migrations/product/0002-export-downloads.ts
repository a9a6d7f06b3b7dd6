import type { Knex } from 'knex';

/**
 * Download links for workbooks too big to attach. The link's token is never
 * stored, only its SHA-256; the file on disk is named after that hash.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('spotlight_export_downloads', (table) => {
    table.increments('id');
    table.string('token_hash', 64).notNullable().unique();
    table.string('customer', 100).notNullable();
    // The name the browser saves, e.g. user-activity-example.com-2026-11-25.xlsx.
    table.string('file_name', 255).notNullable();
    // The file's name inside the storage folder.
    table.string('stored_name', 100).notNullable();
    table.bigInteger('bytes').notNullable();
    table.datetime('created_at', { precision: 3 }).notNullable();
    table.datetime('expires_at', { precision: 3 }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('spotlight_export_downloads');
}
