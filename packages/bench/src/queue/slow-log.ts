import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { RUN_TABLE } from '@spotlight/core';

/** The MariaDB account the bench's server processes connect as: only its statements are logged. */
const BENCH_USER = 'spotlight_queue_bench';

export interface LoggedStatement {
  /** Seconds since the epoch, with microseconds. */
  start: number;
  seconds: number;
  rowsExamined: number;
  thread: number;
  sql: string;
}

interface Globals {
  slow_query_log: string;
  log_output: string;
  init_connect: string;
}

/**
 * Logs every statement of the server processes, and only theirs, to
 * `mysql.slow_log`, without touching other sessions: the servers connect as
 * their own account, and `init_connect` (which MariaDB skips for accounts
 * with SUPER, such as root) sets `long_query_time = 0` in that account's
 * sessions alone. The slow log switch, its output and `init_connect` are
 * global, so {@link SlowLog.restore} puts back what they were, and drops the account.
 */
export class SlowLog {
  private constructor(
    private readonly admin: Knex,
    private readonly database: string,
    private readonly previous: Globals,
    private readonly tableWasEmpty: boolean,
    /** DATABASE_URL for the server processes. */
    readonly url: string,
  ) {}

  static async start(admin: Knex, serverUrl: string, database: string): Promise<SlowLog> {
    const [[previous]] = (await admin.raw(
      'SELECT @@GLOBAL.slow_query_log AS slow_query_log, @@GLOBAL.log_output AS log_output, @@GLOBAL.init_connect AS init_connect',
    )) as [Globals[]];
    if (previous.init_connect)
      throw new Error(
        `This MariaDB server has init_connect set (${previous.init_connect}); the queue bench will not replace it. Run with --no-slow-log.`,
      );
    const [[{ rows }]] = (await admin.raw('SELECT COUNT(*) AS `rows` FROM mysql.slow_log')) as [
      Array<{ rows: number }>,
    ];
    const password = crypto.randomBytes(12).toString('hex');
    await admin.raw(`DROP USER IF EXISTS '${BENCH_USER}'@'%'`);
    await admin.raw(`CREATE USER '${BENCH_USER}'@'%' IDENTIFIED BY '${password}'`);
    await admin.raw(`GRANT ALL ON \`${database}\`.* TO '${BENCH_USER}'@'%'`);
    const log = new SlowLog(
      admin,
      database,
      previous,
      Number(rows) === 0,
      databaseUrlFor(serverUrl, database, password),
    );
    try {
      await admin.raw(
        `SET GLOBAL init_connect = "SET SESSION long_query_time = IF(SUBSTRING_INDEX(USER(), '@', 1) = '${BENCH_USER}', 0, @@SESSION.long_query_time)"`,
      );
      await admin.raw(`SET GLOBAL log_output = 'TABLE'`);
      await admin.raw('SET GLOBAL slow_query_log = 1');
    } catch (error) {
      await log.restore();
      throw error;
    }
    return log;
  }

  /** Every statement the server processes ran in the bench's database, in order per connection. */
  async statements(): Promise<LoggedStatement[]> {
    const [rows] = (await this.admin.raw(
      `SELECT UNIX_TIMESTAMP(start_time) AS start, TIME_TO_SEC(query_time) AS seconds, rows_examined, thread_id, sql_text
         FROM mysql.slow_log WHERE db = ? AND user_host LIKE ? ORDER BY thread_id, start_time`,
      [this.database, `${BENCH_USER}[%`],
    )) as [Array<Record<string, unknown>>];
    return rows.map((row) => ({
      start: Number(row.start),
      seconds: Number(row.seconds),
      rowsExamined: Number(row.rows_examined),
      thread: Number(row.thread_id),
      sql: String(row.sql_text),
    }));
  }

  /** Puts the globals back as they were and drops the account; empties the log table only if it was empty before. */
  async restore(): Promise<void> {
    await this.admin.raw('SET GLOBAL slow_query_log = ?', [Number(this.previous.slow_query_log) ? 1 : 0]);
    await this.admin.raw('SET GLOBAL log_output = ?', [this.previous.log_output]);
    await this.admin.raw('SET GLOBAL init_connect = ?', [this.previous.init_connect]);
    await this.admin.raw(`DROP USER IF EXISTS '${BENCH_USER}'@'%'`);
    if (this.tableWasEmpty) await this.admin.raw('TRUNCATE TABLE mysql.slow_log');
  }
}

function databaseUrlFor(serverUrl: string, database: string, password: string): string {
  const url = new URL(serverUrl);
  url.username = BENCH_USER;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

/** A statement with its literals replaced by `?`, so that repeats of one statement group together. */
export function statementShape(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.)*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\(\?(?:,\s*\?)+\)/g, '(?, ...)')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface ClaimFigures {
  /** Claim transactions: BEGIN to COMMIT on one connection, with a locking read of the run table. */
  claims: number;
  /** Of those, the ones that took a run. */
  taken: number;
  slowestMs: number;
  rowsExaminedMax: number;
  rowsExaminedMean: number;
  /** The locking reads inside claims (one per probe). */
  probes: number;
  probeRowsExaminedMax: number;
}

export interface StatementFigures {
  shape: string;
  count: number;
  rowsExaminedMax: number;
  rowsExaminedMean: number;
  slowestMs: number;
}

const touchesRuns = (sql: string) => sql.toLowerCase().includes(RUN_TABLE);
const isClaimRead = (sql: string) => touchesRuns(sql) && /\bfor update\b/i.test(sql);

/** Claim transactions found in the log: how long the slowest took and how many rows each examined. */
export function claimFigures(statements: LoggedStatement[]): ClaimFigures {
  const claims: Array<{ ms: number; rows: number; taken: boolean }> = [];
  let probes = 0;
  let probeRowsExaminedMax = 0;
  let open: LoggedStatement[] | null = null;
  let thread = -1;
  for (const statement of statements) {
    if (statement.thread !== thread) {
      open = null;
      thread = statement.thread;
    }
    if (/^\s*(begin|start transaction)\b/i.test(statement.sql)) {
      open = [statement];
      continue;
    }
    if (!open) continue;
    open.push(statement);
    if (!/^\s*(commit|rollback)\b/i.test(statement.sql)) continue;
    const reads = open.filter((s) => isClaimRead(s.sql));
    if (reads.length > 0) {
      probes += reads.length;
      probeRowsExaminedMax = Math.max(probeRowsExaminedMax, ...reads.map((s) => s.rowsExamined));
      claims.push({
        ms: (statement.start + statement.seconds - open[0].start) * 1000,
        rows: open.reduce((sum, s) => sum + s.rowsExamined, 0),
        taken: open.some((s) => /^\s*update\b/i.test(s.sql) && touchesRuns(s.sql)),
      });
    }
    open = null;
  }
  return {
    claims: claims.length,
    taken: claims.filter((claim) => claim.taken).length,
    slowestMs: Math.max(0, ...claims.map((claim) => claim.ms)),
    rowsExaminedMax: Math.max(0, ...claims.map((claim) => claim.rows)),
    rowsExaminedMean: claims.length ? claims.reduce((sum, claim) => sum + claim.rows, 0) / claims.length : 0,
    probes,
    probeRowsExaminedMax,
  };
}

/**
 * Statements on the product's tables (`spotlight_export_*`) that ran at least
 * `minCount` times: what the worker and the scheduler repeat. Most rows examined first.
 */
export function repeatedStatements(statements: LoggedStatement[], minCount: number): StatementFigures[] {
  const byShape = new Map<string, { count: number; rows: number; max: number; slowest: number }>();
  for (const statement of statements) {
    if (!/spotlight_export_/i.test(statement.sql)) continue;
    const shape = statementShape(statement.sql);
    const entry = byShape.get(shape) ?? { count: 0, rows: 0, max: 0, slowest: 0 };
    entry.count += 1;
    entry.rows += statement.rowsExamined;
    entry.max = Math.max(entry.max, statement.rowsExamined);
    entry.slowest = Math.max(entry.slowest, statement.seconds * 1000);
    byShape.set(shape, entry);
  }
  return [...byShape.entries()]
    .filter(([, entry]) => entry.count >= minCount)
    .map(([shape, entry]) => ({
      shape,
      count: entry.count,
      rowsExaminedMax: entry.max,
      rowsExaminedMean: entry.rows / entry.count,
      slowestMs: entry.slowest,
    }))
    .sort((a, b) => b.rowsExaminedMax - a.rowsExaminedMax || b.count - a.count);
}
