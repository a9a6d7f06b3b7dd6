/**
 * @spotlight/testing: what the tests of every package share — the query
 * counter, a database harness that runs suites on SQLite and MariaDB,
 * factories for Spotlight's rows, an in-process SMTP server and xlsx readers.
 */
export * from './query-assertions';
export * from './database.harness';
export * from './factories';
export * from './smtp.capture';
export * from './workbook.reader';
export * from './tcp.proxy';
export * from './impatient-database';
export * from './html.renderer';
export * from './libreoffice.converter';
