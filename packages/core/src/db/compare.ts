import type { Knex } from 'knex';
import { dialectOf } from './connection';

/**
 * `LOWER(column) = value`, exactly: MariaDB's default collation would also
 * match "café.example.com" for "cafe.example.com" (it folds accents as well as
 * case), so there the comparison is binary. `value` must be lowercase already.
 */
export function lowerEquals(db: Knex, column: string, value: string): Knex.Raw {
  return dialectOf(db) === 'mysql'
    ? db.raw('LOWER(??) = ? COLLATE utf8mb4_bin', [column, value])
    : db.raw('LOWER(??) = ?', [column, value]);
}
