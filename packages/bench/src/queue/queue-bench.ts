/*
 * pnpm bench:queue [--processes 3] [--schedules 1000] [--history 300000] [--on-demand 5]
 *                  [--timeout 480] [--quick] [--no-slow-log]
 *
 * A wave of scheduled exports through the real server: `--processes` built
 * server processes on one fresh MariaDB database holding `--history` finished
 * runs, with `--schedules` small generated customers whose schedules all come
 * due in the same minute, mailing to a local SMTP sink that counts emails per
 * recipient. On-demand exports (POST /exports) are asked for during the wave.
 * Prints figures, not pass/fail.
 *
 * Environment (flags win): BENCH_QUEUE_PROCESSES, BENCH_QUEUE_SCHEDULES,
 * BENCH_QUEUE_HISTORY, BENCH_QUEUE_ON_DEMAND, BENCH_QUEUE_TIMEOUT, BENCH_MYSQL_URL
 * (default mysql://root@127.0.0.1:3306/). SPOTLIGHT_* variables are passed
 * on to the server processes (SPOTLIGHT_WORKER_CONCURRENCY=4, ...).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import {
  createDatabase,
  createServerConnection,
  migrateLatest,
  RUN_TABLE,
  SCHEDULE_TABLE,
} from '@spotlight/core';
import { SmtpSink } from '../smtp-sink';
import {
  createStaffToken,
  insertSchedules,
  makeDue,
  seedCustomers,
  seedHistory,
  WAVE_TIME_ZONE,
  type BenchCustomer,
} from './queue-seed';
import { formatReport, type QueueReport } from './queue-report';
import { ServerInstance } from './server-instance';
import { claimFigures, repeatedStatements, SlowLog } from './slow-log';

/** Its own database per run, so a second bench started by mistake drops only its own. */
const DATABASE = `spotlight_queue_bench_${process.pid}`;
/** The servers are up this long before the wave's minute at least. */
const LEAD_MS = 5_000;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.trim().replace(/k$/i, '000'));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, not "${text}"`);
  return value;
}

function options() {
  const { values } = parseArgs({
    options: {
      processes: { type: 'string' },
      schedules: { type: 'string' },
      history: { type: 'string' },
      'on-demand': { type: 'string' },
      timeout: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-slow-log': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'pnpm bench:queue [--processes 3] [--schedules 1000] [--history 300000] [--on-demand 5] [--timeout 480] [--quick] [--no-slow-log]',
    );
    process.exit(0);
  }
  const env = process.env;
  const processes = positive('processes', values.processes ?? env.BENCH_QUEUE_PROCESSES, 3);
  const schedules = positive(
    'schedules',
    values.schedules ?? env.BENCH_QUEUE_SCHEDULES,
    values.quick ? 50 : 1_000,
  );
  if (processes < 1 || schedules < 1) throw new Error('--processes and --schedules take at least 1');
  return {
    processes,
    schedules,
    history: positive('history', values.history ?? env.BENCH_QUEUE_HISTORY, values.quick ? 5_000 : 300_000),
    onDemand: positive('on-demand', values['on-demand'] ?? env.BENCH_QUEUE_ON_DEMAND, 5),
    timeoutMs: positive('timeout', values.timeout ?? env.BENCH_QUEUE_TIMEOUT, 480) * 1000,
    slowLog: !values['no-slow-log'],
    mysqlServerUrl: env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/',
    serverEnv: Object.fromEntries(
      Object.entries(env).filter(
        (entry): entry is [string, string] => entry[0].startsWith('SPOTLIGHT_') && entry[1] !== undefined,
      ),
    ),
  };
}

const started = Date.now();
const log = (message: string) =>
  console.error(`[bench:queue ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** First arrival and count of emails per recipient. */
class Mailbox {
  readonly counts = new Map<string, number>();
  readonly firstAt = new Map<string, number>();
  lastAt = 0;

  receive(recipients: string[]): void {
    const now = Date.now();
    for (const recipient of recipients.map((address) => address.toLowerCase())) {
      this.counts.set(recipient, (this.counts.get(recipient) ?? 0) + 1);
      if (!this.firstAt.has(recipient)) this.firstAt.set(recipient, now);
    }
  }
}

async function pendingRuns(db: Knex): Promise<number> {
  const [{ pending }] = await db(RUN_TABLE).whereIn('status', ['queued', 'running']).count({ pending: '*' });
  return Number(pending);
}

async function main(): Promise<void> {
  const settings = options();
  const admin = createServerConnection(settings.mysqlServerUrl);
  const databaseUrl = `${settings.mysqlServerUrl.replace(/\/?$/, '/')}${DATABASE}`;
  const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'spotlight-queue-bench-'));
  const mailbox = new Mailbox();
  const sink = await SmtpSink.start((recipients) => mailbox.receive(recipients));
  const servers: ServerInstance[] = [];
  let slowLog: SlowLog | null = null;
  let db: Knex | null = null;
  let cleaning: Promise<void> | null = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await slowLog?.restore();
      await db?.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
      await admin.destroy();
      await sink.stop();
      await fs.promises.rm(dataDir, { recursive: true, force: true });
    })());
  // Ctrl-C must not leave the MariaDB server's globals changed.
  const interrupted = () => {
    log('interrupted: stopping the servers and restoring the database server');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await admin.raw(`CREATE DATABASE \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    db = createDatabase(databaseUrl);
    await migrateLatest(db, { spotlightSchema: 'always' });

    let phase = Date.now();
    const customers = await seedCustomers(db, settings.schedules, 'wave');
    const onDemandCustomers = await seedCustomers(db, settings.onDemand, 'on-demand');
    const customersSeconds = (Date.now() - phase) / 1000;
    log(
      `${customers.length + onDemandCustomers.length} customers generated in ${customersSeconds.toFixed(1)} s`,
    );

    const token = await createStaffToken(db);
    const scheduleIds = await insertSchedules(db, customers, token.id);
    phase = Date.now();
    await seedHistory(
      db,
      settings.history,
      scheduleIds.map((id, i) => ({ id, customer: customers[i] })),
    );
    await db.raw(`ANALYZE TABLE ${RUN_TABLE}, ${SCHEDULE_TABLE}`);
    const historySeconds = (Date.now() - phase) / 1000;
    log(`${settings.history.toLocaleString('en')} finished runs inserted in ${historySeconds.toFixed(1)} s`);

    if (settings.slowLog) slowLog = await SlowLog.start(admin, settings.mysqlServerUrl, DATABASE);
    const env = (name: string) => ({
      DATABASE_URL: slowLog?.url ?? databaseUrl,
      SMTP_URL: sink.url,
      SPOTLIGHT_DATA_DIR: path.join(dataDir, name),
      SPOTLIGHT_INSTANCE_ID: name,
      ...settings.serverEnv,
    });
    phase = Date.now();
    servers.push(
      ...(await Promise.all(
        Array.from({ length: settings.processes }, (_, i) =>
          ServerInstance.start(`bench-${i + 1}`, env(`bench-${i + 1}`)),
        ),
      )),
    );
    log(`${servers.length} server processes healthy in ${((Date.now() - phase) / 1000).toFixed(1)} s`);

    const dueAt = new Date(Math.ceil((Date.now() + LEAD_MS) / 60_000) * 60_000);
    const cron = await makeDue(db, dueAt);
    log(`${customers.length} schedules ("${cron}" in ${WAVE_TIME_ZONE}) come due at ${dueAt.toISOString()}`);
    await sleep(dueAt.getTime() - Date.now());

    const wave = new Set(customers.map((customer) => customer.managerEmail.toLowerCase()));
    const waveDone = () => [...wave].every((recipient) => mailbox.counts.has(recipient));
    const waveFirst = () => Math.min(...[...wave].map((r) => mailbox.firstAt.get(r) ?? Infinity));
    const deadline = dueAt.getTime() + settings.timeoutMs;

    const onDemand = askOnDemand(
      onDemandCustomers,
      servers,
      token.token,
      mailbox,
      waveFirst,
      waveDone,
      deadline,
    );
    let lastReport = Date.now();
    while (Date.now() < deadline) {
      const sent = [...wave].filter((recipient) => mailbox.counts.has(recipient)).length;
      if (sent === wave.size && (await onDemand.settled()) && (await pendingRuns(db)) === 0) break;
      if (Date.now() - lastReport > 15_000) {
        log(`${sent} of ${wave.size} scheduled emails received`);
        lastReport = Date.now();
      }
      await sleep(250);
    }
    const timedOut = Date.now() >= deadline;
    // Late duplicates (a second instance running the same due time) would arrive now.
    await sleep(2_000);
    const peakRss = servers.map((server) => server.peakRss());
    await Promise.all(servers.map((server) => server.stop()));

    const waveLast = Math.max(0, ...[...wave].map((r) => mailbox.firstAt.get(r) ?? 0));
    const outcomes = (await db(RUN_TABLE)
      .where('created_at', '>=', new Date(dueAt.getTime() - 60_000))
      .select('status', 'claimed_by')
      .count({ runs: '*' })
      .groupBy('status', 'claimed_by')) as Array<{ status: string; claimed_by: string | null; runs: number }>;
    const statements = slowLog ? await slowLog.statements() : null;

    const counts = [...wave].map((recipient) => mailbox.counts.get(recipient) ?? 0);
    const report: QueueReport = {
      processes: settings.processes,
      schedules: settings.schedules,
      history: settings.history,
      users: customers.reduce((sum, customer) => sum + customer.users, 0),
      dueAt,
      serverEnv: settings.serverEnv,
      setup: { customersSeconds, historySeconds },
      timedOut,
      allSentSeconds: waveDone() ? (waveLast - dueAt.getTime()) / 1000 : null,
      firstSentSeconds: Number.isFinite(waveFirst()) ? (waveFirst() - dueAt.getTime()) / 1000 : null,
      emailsPerDueTime: {
        none: counts.filter((count) => count === 0).length,
        one: counts.filter((count) => count === 1).length,
        more: counts.filter((count) => count > 1).length,
      },
      outcomes: outcomes.map((row) => ({ ...row, runs: Number(row.runs) })),
      onDemand: onDemand.results(),
      peakRss,
      claims: statements ? claimFigures(statements) : null,
      statements: statements ? repeatedStatements(statements, 3) : null,
      totalSeconds: (Date.now() - started) / 1000,
    };
    console.log(formatReport(report));
  } catch (error) {
    for (const server of servers) log(`server ${server.name} said:\n${server.output().slice(-4_000)}`);
    throw error;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    await cleanUp();
  }
}

export interface OnDemandResult {
  /** Seconds from POST /exports to the email, null when none came. */
  seconds: number | null;
  /** Whether scheduled emails were still outstanding when it was asked for. */
  duringWave: boolean;
}

/**
 * Asks for one export per on-demand customer, two seconds apart, starting
 * when the wave's first email arrives, round-robin over the instances.
 */
function askOnDemand(
  customers: BenchCustomer[],
  servers: ServerInstance[],
  token: string,
  mailbox: Mailbox,
  waveFirst: () => number,
  waveDone: () => boolean,
  deadline: number,
) {
  const asked: Array<{ recipient: string; at: number; duringWave: boolean }> = [];
  const done = (async () => {
    while (!Number.isFinite(waveFirst()) && Date.now() < deadline) await sleep(100);
    for (const [i, customer] of customers.entries()) {
      if (Date.now() >= deadline) return;
      const server = servers[i % servers.length];
      const at = Date.now();
      const res = await fetch(`${server.url}/exports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ customer: customer.domain, recipient: customer.managerEmail }),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 202) throw new Error(`POST /exports answered ${res.status}: ${await res.text()}`);
      asked.push({ recipient: customer.managerEmail.toLowerCase(), at, duringWave: !waveDone() });
      await sleep(2_000);
    }
  })();
  let finished = false;
  let failure: unknown = null;
  void done.then(
    () => (finished = true),
    (error: unknown) => {
      finished = true;
      failure = error;
    },
  );
  return {
    /** True once every export was asked for and its email arrived; throws what asking threw. */
    async settled(): Promise<boolean> {
      if (failure) throw failure;
      return finished && asked.every((ask) => mailbox.firstAt.has(ask.recipient));
    },
    results(): OnDemandResult[] {
      return asked.map((ask) => {
        const arrived = mailbox.firstAt.get(ask.recipient);
        return {
          seconds: arrived === undefined ? null : (arrived - ask.at) / 1000,
          duringWave: ask.duringWave,
        };
      });
    },
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (process.env.DEBUG) console.error(error);
  process.exit(1);
});
