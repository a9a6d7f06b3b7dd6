/*
 * pnpm bench [--databases mariadb,sqlite] [--sizes 1000,10000,100000] [--quick] [--keep]
 *            [--runs 2] [--node-flags=--max-semi-space-size=4]
 *
 * Runs the real export (workbook built, mail sent to a local SMTP sink) for a
 * generated customer of each size, the floor (the export's own SQL alone, rows
 * read and discarded) and the scan under it (each activity kind of the site
 * counted with a plain COUNT(*)). Each measurement runs in a fresh child process so
 * its peak RSS is its own. Figures, not pass/fail.
 *
 * Environment (flags win): BENCH_DATABASES, BENCH_SIZES, BENCH_MYSQL_URL
 * (the MariaDB server, default mysql://root@127.0.0.1:3306/).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, benchDatabase, type BenchDialect } from './bench-database';
import type { Job, Measurement } from './measure';
import { formatMemoryTable, measureCliMemory, type CliMemoryRow } from './memory';
import { SmtpSink } from './smtp-sink';
import { formatTable, type BenchRow } from './table';

const DEFAULT_SIZES: Record<BenchDialect, number[]> = {
  mariadb: [1_000, 10_000, 100_000],
  sqlite: [1_000, 10_000],
};

function options() {
  const { values } = parseArgs({
    options: {
      databases: { type: 'string' },
      sizes: { type: 'string' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      runs: { type: 'string' },
      'node-flags': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'pnpm bench [--databases mariadb,sqlite] [--sizes 1000,10000,100000] [--quick] [--keep] [--runs 2] [--node-flags=--max-semi-space-size=4]',
    );
    process.exit(0);
  }
  const databases = (values.databases ?? process.env.BENCH_DATABASES ?? 'mariadb,sqlite')
    .split(',')
    .map((name) => name.trim());
  for (const name of databases) {
    if (name !== 'mariadb' && name !== 'sqlite')
      throw new Error(`--databases takes mariadb and/or sqlite, not "${name}"`);
  }
  const sizesText = values.sizes ?? process.env.BENCH_SIZES ?? (values.quick ? '1000' : undefined);
  const sizes = sizesText?.split(',').map((size) => {
    const users = Number(size.trim().replace(/k$/i, '000'));
    if (!Number.isInteger(users) || users < 1)
      throw new Error(`--sizes takes user counts like 1000,10k; "${size}" is not one`);
    return users;
  });
  const runs = Number(values.runs ?? process.env.BENCH_RUNS ?? 2);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number of at least 1`);
  return {
    runs,
    nodeFlags: (values['node-flags'] ?? process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
    plan: (databases as BenchDialect[]).flatMap((dialect) =>
      (sizes ?? DEFAULT_SIZES[dialect]).map((users) => ({ dialect, users })),
    ),
    keep: values.keep,
    mysqlServerUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/',
  };
}

function measure(job: Job, nodeFlags: string[]): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'measure.js'), [JSON.stringify(job)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: nodeFlags,
    });
    let result: Measurement | null = null;
    child.on('message', (message) => {
      result = message as Measurement;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`The ${job.kind} measurement failed (exit code ${code})`));
    });
  });
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const megabytes = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

const log = (message: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const { plan, keep, mysqlServerUrl, runs, nodeFlags } = options();
  if (nodeFlags.length) log(`measuring with node ${nodeFlags.join(' ')}`);
  const sink = await SmtpSink.start();
  const rows: BenchRow[] = [];
  const cliMemory: CliMemoryRow[] = [];
  const scratch = path.join(BENCH_DIR, 'scratch');
  await fs.promises.mkdir(scratch, { recursive: true });
  try {
    for (const { dialect, users } of plan) {
      const database = await benchDatabase(dialect, users, { mysqlServerUrl, keep, log });
      try {
        if (database.generated)
          log(
            `${dialect} ${users}: ${database.report.activityRows} activity rows in ${(database.generateMs / 1000).toFixed(1)} s`,
          );
        const idle = await measure({ kind: 'idle', url: database.url }, nodeFlags);
        // A first floor warms the database's caches; then floor and export
        // alternate `runs` times. The fastest of each is kept (the database
        // server is shared, so slower runs measure the neighbours), and the
        // highest peak RSS of the exports, so memory is never flattered.
        const floorJob: Job = {
          kind: 'floor',
          url: database.url,
          siteId: database.report.site.id,
          customer: database.report.site.domain,
          recipient: database.report.managerEmail,
        };
        await measure(floorJob, nodeFlags);
        const scanJob: Job = { kind: 'scan', url: database.url, siteId: database.report.site.id };
        const floors: Measurement[] = [];
        const scans: Measurement[] = [];
        const exports: Measurement[] = [];
        for (let run = 0; run < runs; run += 1) {
          scans.push(await measure(scanJob, nodeFlags));
          floors.push(await measure(floorJob, nodeFlags));
          exports.push(
            await measure(
              {
                kind: 'export',
                url: database.url,
                customer: database.report.site.domain,
                recipient: database.report.managerEmail,
                smtpUrl: sink.url,
                tmpDir: scratch,
              },
              nodeFlags,
            ),
          );
          log(
            `${dialect} ${users}: scan ${seconds(scans[run].ms)} s, floor ${seconds(floors[run].ms)} s (first row ${seconds(floors[run].firstRowMs ?? 0)} s), export ${seconds(exports[run].ms)} s, peak RSS ${megabytes(exports[run].peakRss)} MB`,
          );
        }
        const fastest = (all: Measurement[]) => all.reduce((best, m) => (m.ms < best.ms ? m : best));
        const floor = fastest(floors);
        const exported = { ...fastest(exports), peakRss: Math.max(...exports.map((m) => m.peakRss)) };
        rows.push({
          dialect,
          users,
          activityRows: database.report.activityRows,
          idle,
          scan: fastest(scans),
          floor,
          exported,
        });
        const target = { url: database.url, customer: database.report.site.domain, smtpUrl: sink.url };
        const cli = { ...target, recipient: database.report.managerEmail, dataDir: scratch };
        cliMemory.push({ dialect, users, ...(await measureCliMemory(cli, runs)) });
      } finally {
        await database.drop();
      }
    }
  } finally {
    await sink.stop();
    await fs.promises.rm(scratch, { recursive: true, force: true });
  }
  console.log(formatTable(rows));
  console.log(`\n${formatMemoryTable(cliMemory)}`);
  if (nodeFlags.length) console.log(`Measured with node ${nodeFlags.join(' ')}.`);
  console.log(`SMTP sink received ${sink.messages} messages, ${(sink.bytes / 2 ** 20).toFixed(1)} MB.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (process.env.DEBUG) console.error(error);
  process.exit(1);
});
