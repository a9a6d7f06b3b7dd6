import type { Knex } from 'knex';
import { captureQueries, type ExecutedQuery } from '../db/query-counter';

export { captureQueries, type ExecutedQuery };

/**
 * Runs `fn` and fails unless `db` executed exactly `expected` SQL statements
 * for it (concurrent work is not counted), in the spirit of Django's
 * assertNumQueries. The failure lists the statements. Returns `fn`'s result.
 */
export async function assertNumQueries<T>(db: Knex, expected: number, fn: () => PromiseLike<T>): Promise<T> {
  const { result, queries } = await captureQueries(db, fn);
  if (queries.length !== expected) {
    const listing = queries
      .map((query, i) => `  ${i + 1}. ${query.sql.replace(/\s+/g, ' ').slice(0, 160)}`)
      .join('\n');
    throw new Error(`Expected ${expected} queries, ${queries.length} were run:\n${listing}`);
  }
  return result;
}
