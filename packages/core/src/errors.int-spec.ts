import { describeEachDatabase } from './testing';
import { explainDatabaseError } from './db/database-errors';
import { DatabaseUnavailableError } from './errors';

describeEachDatabase('explainDatabaseError', (db) => {
  const target = 'the-db';

  async function failure(query: () => PromiseLike<unknown>): Promise<unknown> {
    try {
      await query();
    } catch (error) {
      return error;
    }
    throw new Error('the query did not fail');
  }

  it('names a missing table and says what to do, without the SQL', async () => {
    const spotlight = explainDatabaseError(
      await failure(() => db.knex('django_sites').where({ domain: 'secret.example.com' }).first()),
      target,
    );
    expect(spotlight).toBeInstanceOf(DatabaseUnavailableError);
    expect((spotlight as Error).message).toBe(
      'The database at the-db has no table "django_sites"; run "spotlight db migrate" first.',
    );

    await db.knex.schema.renameTable('django_site', 'django_site_moved');
    try {
      const moved = explainDatabaseError(
        await failure(() => db.knex('django_site').where({ domain: 'secret.example.com' }).first()),
        target,
      );
      expect((moved as Error).message).toBe(
        `The database at the-db has no Spotlight tables (no table "django_site"); check that DATABASE_URL points at Spotlight's database, or run "spotlight db migrate" first.`,
      );
      // The driver's error stays the cause, for DEBUG (SQLite's comes from another realm under jest).
      expect((moved as Error).cause).toMatchObject({ message: expect.stringContaining('django_site') });
    } finally {
      await db.knex.schema.renameTable('django_site_moved', 'django_site');
    }
  });

  it('names a missing column, and turns any other query error into its code alone', async () => {
    const column = explainDatabaseError(
      await failure(() =>
        db.knex('django_site').select('last_used_at').where({ domain: 'secret.example.com' }),
      ),
      target,
    ) as Error;
    expect(column).toBeInstanceOf(DatabaseUnavailableError);
    expect(column.message).toBe(
      'The database at the-db has no column "last_used_at"; run "spotlight db migrate" to bring its tables up to date.',
    );

    const syntax = explainDatabaseError(
      await failure(() =>
        db.knex.raw("select domain from django_site where domain = 'secret.example.com' order"),
      ),
      target,
    ) as Error;
    expect(syntax).not.toBeInstanceOf(DatabaseUnavailableError);
    expect(syntax.message).toMatch(
      /^A query on the database at the-db failed \((ER_PARSE_ERROR|SQLITE_ERROR)\); rerun with DEBUG=1 for the details\.$/,
    );
    expect((syntax.cause as Error).message).toContain('secret.example.com');

    const site = await db.factory.site();
    const duplicate = explainDatabaseError(
      await failure(() => db.knex('django_site').insert({ domain: site.domain, name: 'secret' })),
      target,
    ) as Error;
    expect(duplicate.message).toMatch(
      /^A query on the database at the-db failed \((ER_DUP_ENTRY|SQLITE_CONSTRAINT_UNIQUE)\)/,
    );
    for (const explained of [column, syntax, duplicate])
      expect(explained.message).not.toMatch(/secret|select|insert/i);
  });

  it('leaves errors that do not come from the database as they are', () => {
    const error = new TypeError('x is undefined');
    expect(explainDatabaseError(error, target)).toBe(error);
  });
});
