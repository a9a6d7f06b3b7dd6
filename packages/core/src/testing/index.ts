/**
 * @spotlight/core/testing: core's test harness, for the tests of every
 * package — a fresh migrated database per suite on SQLite and MariaDB
 * (`describeEachDatabase`), factories for Spotlight's rows and the query
 * counter's assertion. It lives in core because it is built on core's
 * connection, migrations and query counter; test tools that need nothing of
 * core (SMTP capture, xlsx readers, TCP proxy, ...) are in @spotlight/testing.
 */
export * from './query-assertions';
export * from './database.harness';
export * from './factories';
export * from './impatient-database';
