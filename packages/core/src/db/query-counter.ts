import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';

export interface ExecutedQuery {
  sql: string;
  bindings: readonly unknown[];
}

interface Counter {
  queries: ExecutedQuery[];
  /** Counts every tracked database when true; otherwise only the one its own listener watches. */
  everyDatabase?: boolean;
}

// Each callback runs with the list of counters it is inside of, so a query is
// charged to every enclosing counter and to nothing running concurrently.
// Shared through the global registry: a process can load two copies of this
// module (a package's sources under test and its built output, say), and a
// query must reach the counters of both.
const shared = ((globalThis as Record<symbol, unknown>)[Symbol.for('spotlight.query-counter')] ??= {
  active: new AsyncLocalStorage<readonly Counter[]>(),
  tracked: new WeakSet<Knex>(),
}) as { active: AsyncLocalStorage<readonly Counter[]>; tracked: WeakSet<Knex> };
const active = shared.active;

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

const tracked = shared.tracked;

/**
 * Makes {@link countQueries} see the statements of `db`. Every database that
 * `createDatabase` opens is tracked.
 */
export function trackQueries(db: Knex): void {
  if (tracked.has(db)) return;
  tracked.add(db);
  db.on('query', (query: { sql: string; bindings?: readonly unknown[] }) => {
    for (const counter of active.getStore() ?? []) {
      if (counter.everyDatabase) counter.queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
    }
  });
}

/**
 * Runs `fn` and records every SQL statement that any tracked database
 * executes on behalf of it: an export reads from a replica and writes its
 * lock, link and history to the primary, and all of it counts. `fn` can ask
 * how many have run so far.
 */
export async function countQueries<T>(
  fn: (soFar: () => number) => PromiseLike<T>,
): Promise<{ result: T; queries: ExecutedQuery[] }> {
  const counter: Counter = { queries: [], everyDatabase: true };
  const result = await active.run(
    [...(active.getStore() ?? []), counter],
    async () => await fn(() => counter.queries.length),
  );
  return { result, queries: counter.queries };
}
