import { describeEachDatabase } from '../testing';
import { captureQueries } from './query-counter';

describeEachDatabase('query counter', (db) => {
  it('counts only the statements run inside the callback, not concurrent work', async () => {
    const noise = (async () => {
      for (let i = 0; i < 20; i += 1) await db.knex('django_site').count('* as n');
    })();
    const { queries } = await captureQueries(db.knex, async () => {
      await db.knex('django_site').select('id');
      await new Promise((resolve) => setTimeout(resolve, 5));
      await db.knex('central_user').select('id');
    });
    await noise;
    expect(queries.map((q) => q.sql.replace(/[`"]/g, ''))).toEqual([
      'select id from django_site',
      'select id from central_user',
    ]);
  });

  it('charges nested counters and includes BEGIN and COMMIT of transactions', async () => {
    const outer = await captureQueries(db.knex, async () => {
      await db.knex('django_site').select('id');
      const inner = await captureQueries(db.knex, () =>
        db.knex.transaction(async (trx) => {
          await trx('central_user').select('id');
        }),
      );
      return inner.queries.length;
    });
    expect(outer.result).toBe(3);
    expect(outer.queries).toHaveLength(4);
    expect(outer.queries.map((q) => q.sql)).toEqual(expect.arrayContaining(['BEGIN;', 'COMMIT;']));
  });

  it('counts statements of a streamed query once', async () => {
    const { queries } = await captureQueries(db.knex, async () => {
      for await (const row of db.knex.raw('SELECT 1 AS one UNION ALL SELECT 2').stream()) void row;
    });
    expect(queries).toHaveLength(1);
  });

  it('counts a query builder handed over without awaiting it', async () => {
    const { result, queries } = await captureQueries(db.knex, () => db.knex('django_site').select('id'));
    expect(result).toEqual([]);
    expect(queries).toHaveLength(1);
  });
});
