import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';

export interface ExecutedQuery {
  sql: string;
  bindings: readonly unknown[];
}

interface Counter {
  queries: ExecutedQuery[];
}

// Each callback runs with the list of counters it is inside of, so a query is
// charged to every enclosing counter and to nothing running concurrently.
const active = new AsyncLocalStorage<readonly Counter[]>();

/**
 * Runs `fn` and records every SQL statement that `db` executes on behalf of it
 * (including BEGIN/COMMIT), and only those: queries from concurrent work that
 * was not started inside `fn` are not counted.
 */
export async function captureQueries<T>(
  db: Knex,
  fn: () => PromiseLike<T>,
): Promise<{ result: T; queries: ExecutedQuery[] }> {
  const counter: Counter = { queries: [] };
  const listener = (query: { sql: string; bindings?: readonly unknown[] }) => {
    if (active.getStore()?.includes(counter)) {
      counter.queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
    }
  };
  db.on('query', listener);
  try {
    // Awaited inside the context: a knex builder or a supertest request only
    // starts when awaited, and must start here to be counted.
    const result = await active.run([...(active.getStore() ?? []), counter], async () => await fn());
    return { result, queries: counter.queries };
  } finally {
    db.off('query', listener);
  }
}
