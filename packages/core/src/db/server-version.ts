import type { Knex } from 'knex';
import { ConfigurationError } from '../errors';
import { dialectOf } from './connection';

/**
 * Why this MySQL/MariaDB server cannot run the export queue, or null when it
 * can: claiming runs needs `SELECT ... FOR UPDATE SKIP LOCKED`, which came
 * with MariaDB 10.6 and MySQL 8.0.1.
 */
export function queueSupportProblem(version: string): string | null {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return `its version "${version}" cannot be read`;
  const [major, minor, patch] = match.slice(1).map(Number);
  const mariadb = /mariadb/i.test(version);
  const atLeast = (want: [number, number, number]) =>
    major !== want[0] ? major > want[0] : minor !== want[1] ? minor > want[1] : patch >= want[2];
  if (mariadb ? atLeast([10, 6, 0]) : atLeast([8, 0, 1])) return null;
  return `it is ${mariadb ? 'MariaDB' : 'MySQL'} ${major}.${minor}.${patch}, and the export queue needs SKIP LOCKED (MariaDB 10.6 or MySQL 8.0.1 and later)`;
}

/** Refuses, in one line, a database server too old for the export queue; SQLite always can. */
export async function assertQueueSupport(db: Knex, label: string): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  const [rows] = await db.raw('SELECT VERSION() AS version');
  const problem = queueSupportProblem(String((rows as Array<{ version: unknown }>)[0].version));
  if (problem) throw new ConfigurationError(`The database at ${label} cannot be used: ${problem}.`);
}
