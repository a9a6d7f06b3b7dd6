import { createTestDatabase, enabledDialects } from '../testing';
import { migrateLatest, SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE } from './migrate';
import { SPOTLIGHT_TABLES } from './models/spotlight-tables';

describe.each(enabledDialects())('migrations [%s]', (dialect) => {
  it('creates Django’s tables, columns and indexes with their exact names', async () => {
    const db = await createTestDatabase(dialect);
    try {
      for (const table of SPOTLIGHT_TABLES) {
        expect(await db.knex.schema.hasTable(table)).toBe(true);
      }
      for (const [table, column] of [
        ['central_user', 'is_manager'],
        ['central_user', 'display_name'],
        ['central_ideavote', 'is_upvote'],
        ['central_idea', 'num_comments'],
        ['central_ideacomment', 'response_to_id'],
        ['central_conversation', 'share_message'],
      ]) {
        expect(await db.knex.schema.hasColumn(table, column)).toBe(true);
      }
      if (dialect === 'mariadb') {
        const [columns] = await db.knex.raw(
          `SELECT table_name AS t, column_name AS c, column_type AS type, is_nullable AS nullable
             FROM information_schema.columns WHERE table_schema = DATABASE()`,
        );
        const type = (t: string, c: string) =>
          (columns as Array<{ t: string; c: string; type: string; nullable: string }>).find(
            (r) => r.t === t && r.c === c,
          );
        expect(type('central_user', 'id')).toMatchObject({ type: 'int(11)' });
        expect(type('central_user', 'is_manager')).toMatchObject({ type: 'tinyint(1)' });
        expect(type('central_user', 'date_joined')).toMatchObject({ type: 'datetime(6)' });
        expect(type('central_user', 'email')).toMatchObject({ type: 'varchar(254)', nullable: 'NO' });
        expect(type('central_idea', 'score')).toMatchObject({ type: 'decimal(20,15)' });
        expect(type('central_idea', 'num_upvotes')).toMatchObject({ type: 'int(10) unsigned' });
        expect(type('central_conversation', 'creator_id')).toMatchObject({ nullable: 'YES' });
        const [indexes] = await db.knex.raw(
          `SELECT table_name AS t, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols, non_unique AS nu
             FROM information_schema.statistics WHERE table_schema = DATABASE() GROUP BY table_name, index_name, non_unique`,
        );
        const has = (t: string, cols: string, unique: boolean) =>
          (indexes as Array<{ t: string; cols: string; nu: number }>).some(
            (i) => i.t === t && i.cols === cols && !i.nu === unique,
          );
        expect(has('central_user', 'site_id', false)).toBe(true);
        expect(has('central_idea', 'created', false)).toBe(true);
        expect(has('central_ideavote', 'creator_id,idea_id', true)).toBe(true);
        expect(has('central_community_members', 'community_id,user_id', true)).toBe(true);
        expect(has('django_site', 'domain', true)).toBe(true);
      }
    } finally {
      await db.drop();
    }
  });

  it('leaves an existing (production) Spotlight schema alone and only adds the product’s tables', async () => {
    const db = await createTestDatabase(dialect);
    try {
      // Make it look like a Spotlight database that Django created: the
      // tables exist, but this product has no record of creating them.
      await db.knex.schema.dropTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE);
      await db.knex.schema.alterTable('django_site', (t) => t.string('django_only_column', 10).nullable());
      const report = await migrateLatest(db.knex);
      expect(report.spotlightSchema).toBe('skipped-existing');
      expect(await db.knex.schema.hasColumn('django_site', 'django_only_column')).toBe(true);
      expect(await db.knex.schema.hasTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE)).toBe(false);
      expect(await migrateLatest(db.knex, { spotlightSchema: 'never' })).toEqual({
        spotlightSchema: 'skipped',
        ran: [],
      });
    } finally {
      await db.drop();
    }
  });

  it('creates everything on an empty database and is idempotent', async () => {
    const db = await createTestDatabase(dialect);
    try {
      await db.knex.schema.dropTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE);
      for (const table of [...SPOTLIGHT_TABLES].reverse()) {
        await db.knex.schema.dropTable(table);
      }
      const first = await migrateLatest(db.knex);
      expect(first.spotlightSchema).toBe('migrated');
      expect(first.ran).toContain('0001-spotlight-schema');
      expect(await db.knex.schema.hasTable('central_ideavote')).toBe(true);
      const again = await migrateLatest(db.knex);
      expect(again).toEqual({ spotlightSchema: 'migrated', ran: [] });
    } finally {
      await db.drop();
    }
  });
});
