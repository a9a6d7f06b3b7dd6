/**
 * @spotlight/seed: the data generator behind `spotlight db seed`, the bench
 * and the tests. It writes realistic Spotlight customers into a migrated
 * database; the same seed gives the same rows.
 */
export * from './seed';
export { SEEDED_TABLES, type SeededTable } from './table-load';
