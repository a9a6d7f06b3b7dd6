import path from 'node:path';
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { MysqlClient } from './mysql.client';
import { SqliteClient } from './sqlite.client';
import { trackQueries } from './query-counter';
import { maskUrl } from '../text/mask-url';
import { PRIVATE_FOLDER_MODE } from '../files/private-folder';
import type { DatabaseSetting } from '../errors';

export type Dialect = 'mysql' | 'sqlite';

/** Thrown when DATABASE_URL cannot be understood. */
export class InvalidDatabaseUrlError extends Error {
  override readonly name = 'InvalidDatabaseUrlError';
}

/**
 * Reads a database URL: `mysql://user:pass@host:port/db` (also `mariadb://`),
 * `sqlite:///absolute/file.db`, `sqlite:relative/file.db` or `sqlite::memory:`.
 */
export function parseDatabaseUrl(url: string): { dialect: Dialect; connection: Knex.Config['connection'] } {
  if (/^(mysql|mariadb):\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidDatabaseUrlError(`DATABASE_URL is not a valid URL: ${maskUrl(url)}`);
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!database)
      throw new InvalidDatabaseUrlError('DATABASE_URL names no database (mysql://host/DATABASE)');
    return {
      dialect: 'mysql',
      connection: {
        host: parsed.hostname || '127.0.0.1',
        port: parsed.port ? Number(parsed.port) : 3306,
        user: decodeURIComponent(parsed.username || 'root'),
        password: decodeURIComponent(parsed.password),
        database,
        // Django stores datetimes in UTC; read and write them as UTC.
        timezone: 'Z',
        charset: 'utf8mb4',
        supportBigNumbers: true,
      },
    };
  }
  const sqlite = /^sqlite:(?:\/\/)?(.*)$/i.exec(url);
  if (sqlite) {
    const filename = sqlite[1];
    if (!filename)
      throw new InvalidDatabaseUrlError('DATABASE_URL names no SQLite file (sqlite:///path/to/file.db)');
    return { dialect: 'sqlite', connection: { filename } };
  }
  throw new InvalidDatabaseUrlError(
    `DATABASE_URL must start with mysql:// or sqlite: (got ${maskUrl(url).split(':')[0]}:...)`,
  );
}

/** The URL of the embedded default database: a SQLite file inside `dataDir`. */
export function defaultDatabaseUrl(dataDir: string): string {
  return `sqlite://${path.resolve(dataDir, 'spotlight.sqlite')}`;
}

/** How long any wait on the database may last before the work fails. */
export interface DatabaseTimeouts {
  /** To open a connection to MySQL/MariaDB; waiting for a free one in the pool gets a second more. */
  connectMs: number;
  /** Silence of the database while an answer or a streamed row is awaited (a slow reader does not count). */
  idleMs: number;
}

// A support person waiting on the CLI should hear of a dead database within
// about a minute; the slowest healthy statement (the activity query's first
// row on a big customer) answers well within that.
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { connectMs: 10_000, idleMs: 60_000 };

/** How `createDatabase` opens a database. */
export interface DatabaseOptions {
  pool?: Knex.PoolConfig;
  /** Where knex's own warnings go; knex prints them on stdout by default. */
  log?: Knex.Config['log'];
  timeouts?: Partial<DatabaseTimeouts>;
  /**
   * Create a SQLite file (and its folder) that does not exist: true by
   * default, for tools that make databases. The product's services pass
   * false except for `db migrate`, so that a mistyped path is refused
   * instead of becoming an empty database.
   */
  createSqliteFile?: boolean;
  /** The setting that names the database, for the one line when it does not exist: the primary's by default. */
  setting?: DatabaseSetting;
}

/** Opens a knex instance for a database URL. The caller owns it and must `destroy()` it. */
export function createDatabase(url: string, options: DatabaseOptions = {}): Knex {
  const db = openDatabase(url, options);
  trackQueries(db);
  return db;
}

function openDatabase(url: string, options: DatabaseOptions): Knex {
  const { dialect, connection } = parseDatabaseUrl(url);
  const timeouts = { ...DEFAULT_DATABASE_TIMEOUTS, ...options.timeouts };
  // Read by the dialect clients, which bound every statement and stream with it.
  const spotlight = {
    idleTimeoutMs: timeouts.idleMs,
    target: maskUrl(url),
    setting: options.setting ?? { name: 'DATABASE_URL', migrated: true },
  };
  if (dialect === 'mysql') {
    return knexFactory({
      client: MysqlClient as unknown as typeof Knex.Client,
      connection: { ...(connection as object), connectTimeout: timeouts.connectMs },
      // A second beyond connecting, so that a server that does not answer is
      // reported by the driver ("connect ETIMEDOUT"), not as a full pool.
      acquireConnectionTimeout: timeouts.connectMs + 1_000,
      pool: { min: 0, max: 10, ...options.pool },
      log: options.log,
      spotlight,
    } as Knex.Config);
  }
  const filename = (connection as { filename: string }).filename;
  const createFile = filename !== ':memory:' && (options.createSqliteFile ?? true);
  // The folder made for the embedded database holds customers' data: it is private.
  if (createFile)
    fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true, mode: PRIVATE_FOLDER_MODE });
  return knexFactory({
    client: SqliteClient as unknown as typeof Knex.Client,
    connection: { filename },
    useNullAsDefault: true,
    log: options.log,
    // A missing file fails the first statement, so it is reported where any
    // other database that cannot be used is.
    spotlight: { ...spotlight, fileMustExist: filename !== ':memory:' && !createFile },
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        // WAL lets a reader keep its snapshot while a writer commits; the
        // timeout makes concurrent writers wait instead of failing at once.
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        // better-sqlite3 builds with a 16 MB page cache per connection. 1 MB
        // also bounds each sort in memory (SQLite spills a sort to disk past
        // the page cache's size, and never below 1 MB): at 100k users the
        // activity statement then holds 6.6 MB instead of 12.4 MB with 2 MB,
        // the Communities statement 7.8 MB instead of 12.7 MB, both as fast.
        conn.pragma('cache_size = -1000');
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  } as Knex.Config);
}

/**
 * A connection to a MySQL/MariaDB server with no database selected, for
 * creating and dropping databases (test harness, bench). `serverUrl` is
 * mysql://user:password@host:port/ with or without a database path.
 */
export function createServerConnection(serverUrl: string): Knex {
  const url = new URL(serverUrl);
  return knexFactory({
    client: 'mysql2',
    connection: {
      host: url.hostname || '127.0.0.1',
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
    },
    pool: { min: 0, max: 1 },
  });
}

export function dialectOf(db: Knex): Dialect {
  // Not config.client: it is a class for the dialects core extends.
  const driver = (db.client as { driverName?: string }).driverName;
  return driver === 'mysql2' || driver === 'mysql' ? 'mysql' : 'sqlite';
}

/**
 * Values read back from either driver: mysql2 gives Dates, SQLite gives
 * Django's text. A value that names no real instant is null: MySQL's zero
 * date ("0000-00-00 00:00:00", an Invalid Date from mysql2) and text such as
 * "2024-02-30 12:00:00", which JavaScript would roll over to 1 March.
 */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number') date = new Date(value);
  else {
    const text = String(value);
    const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(text);
    date = new Date(zoned ? text : `${text.replace(' ', 'T')}Z`);
    if (!zoned && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) !== text.slice(0, 10))
      return null;
  }
  return Number.isNaN(date.getTime()) ? null : date;
}
