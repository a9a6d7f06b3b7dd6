import { DatabaseUnavailableError, firstLine, SpotlightError } from '../errors';
import { SPOTLIGHT_TABLES } from './models/spotlight-tables';
import { DATABASE_SILENT } from './row-stream';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  DATABASE_SILENT,
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'SQLITE_CANTOPEN',
  'SQLITE_NOTADB',
  // Another process held the write lock for longer than busy_timeout.
  'SQLITE_BUSY',
]);

/**
 * Turns a driver error into something a user can read in one line; returns
 * anything that did not come from the database driver as is.
 *
 * knex starts a failed query's message with its SQL (bindings included), so
 * no part of it is ever copied: a connection failure keeps the driver's own
 * words, a missing table or column is named with what to do, and any other
 * query error becomes a generic line with the driver's code. The original
 * error stays the `cause`, for DEBUG.
 */
export function explainDatabaseError(error: unknown, target: string): unknown {
  // Not `instanceof Error`: a native driver's errors may come from another realm (jest's, say).
  if (error instanceof SpotlightError || !isErrorLike(error)) return error;
  const code = (error as { code?: unknown }).code;
  const driverCode = typeof code === 'string' ? code : '';
  const message = driverMessage(error);
  if (
    CONNECTION_CODES.has(driverCode) ||
    (!isQueryError(error) && /connect|Timeout acquiring a connection/i.test(message))
  ) {
    return new DatabaseUnavailableError(`Cannot use the database at ${target}: ${message || driverCode}`, {
      cause: error,
      transient: true,
    });
  }
  if (!isQueryError(error)) return error;
  const table = missingTable(message);
  if (table !== null) {
    const advice = SPOTLIGHT_TABLE_NAMES.has(table)
      ? `has no Spotlight tables (no table "${table}"); check that DATABASE_URL points at Spotlight's database, or run "spotlight db migrate" first.`
      : `has no table "${table}"; run "spotlight db migrate" first.`;
    return new DatabaseUnavailableError(`The database at ${target} ${advice}`, { cause: error });
  }
  const column = missingColumn(message);
  if (column !== null) {
    return new DatabaseUnavailableError(
      `The database at ${target} has no column "${column}"; run "spotlight db migrate" to bring its tables up to date.`,
      { cause: error },
    );
  }
  return new Error(
    `A query on the database at ${target} failed (${driverCode || 'no error code'}); rerun with DEBUG=1 for the details.`,
    { cause: error },
  );
}

function isErrorLike(error: unknown): error is Error {
  return typeof error === 'object' && error !== null && typeof (error as Error).message === 'string';
}

// Django's tables: missing one means the database is not Spotlight's (or not migrated yet).
const SPOTLIGHT_TABLE_NAMES: ReadonlySet<string> = new Set(SPOTLIGHT_TABLES);

/** Whether the error comes from running a statement (mysql2 or SQLite), as opposed to connecting. */
function isQueryError(error: Error): boolean {
  const { sqlMessage, code } = error as { sqlMessage?: unknown; code?: unknown };
  return typeof sqlMessage === 'string' || (typeof code === 'string' && code.startsWith('SQLITE_'));
}

/** The driver's own message, without the statement knex puts in front of it. */
function driverMessage(error: Error): string {
  const { sqlMessage } = error as { sqlMessage?: unknown };
  if (typeof sqlMessage === 'string') return firstLine(sqlMessage);
  const message = firstLine(error.message);
  if (!isQueryError(error)) return message;
  // knex's "<statement> - <driver message>"; SQLite's messages have no " - " of their own.
  const cut = message.lastIndexOf(' - ');
  return cut === -1 ? message : message.slice(cut + 3);
}

/** The table named by "Table 'db.x' doesn't exist" (MySQL) or "no such table: x" (SQLite). */
function missingTable(message: string): string | null {
  const match =
    /^Table '(?:[^'.]+\.)?([^']+)' doesn't exist/.exec(message) ??
    /no such table: (?:\w+\.)?(\S+)/.exec(message);
  return match ? match[1] : null;
}

/** The column named by "Unknown column 'x' in ..." (MySQL) or "no such column: x" (SQLite). */
function missingColumn(message: string): string | null {
  const match =
    /^Unknown column '(?:[^']*\.)?([^'.]+)'/.exec(message) ?? /no such column: (?:\S+\.)?(\S+)/.exec(message);
  return match ? match[1] : null;
}
