/*
 * pnpm bench [--databases mariadb,sqlite] [--sizes 1000,10000,100000] [--quick] [--keep]
 *
 * Runs the real export (workbook built, mail sent to a local SMTP sink) for a
 * generated customer of each size, and the floor: the export's own SQL alone,
 * rows read and discarded. Each measurement runs in a fresh child process so
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
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('pnpm bench [--databases mariadb,sqlite] [--sizes 1000,10000,100000] [--quick] [--keep]');
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
  return {
    plan: (databases as BenchDialect[]).flatMap((dialect) =>
      (sizes ?? DEFAULT_SIZES[dialect]).map((users) => ({ dialect, users })),
    ),
    keep: values.keep,
    mysqlServerUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/',
  };
}

function measure(job: Job): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'measure.js'), [JSON.stringify(job)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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

const log = (message: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const { plan, keep, mysqlServerUrl } = options();
  const sink = await SmtpSink.start();
  const rows: BenchRow[] = [];
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
        const idle = await measure({ kind: 'idle', url: database.url });
        // The first floor warms the database's caches; the export and the
        // second floor then both run warm, and the faster floor is kept.
        const floorJob: Job = { kind: 'floor', url: database.url, siteId: database.report.site.id };
        const firstFloor = await measure(floorJob);
        log(`${dialect} ${users}: floor ${(firstFloor.ms / 1000).toFixed(2)} s, exporting`);
        const exported = await measure({
          kind: 'export',
          url: database.url,
          customer: database.report.site.domain,
          recipient: database.report.managerEmail,
          smtpUrl: sink.url,
          tmpDir: scratch,
        });
        const secondFloor = await measure(floorJob);
        const floor = firstFloor.ms <= secondFloor.ms ? firstFloor : secondFloor;
        rows.push({ dialect, users, activityRows: database.report.activityRows, idle, floor, exported });
        log(
          `${dialect} ${users}: export ${(exported.ms / 1000).toFixed(2)} s, peak RSS ${(exported.peakRss / 2 ** 20).toFixed(0)} MB`,
        );
      } finally {
        await database.drop();
      }
    }
  } finally {
    await sink.stop();
    await fs.promises.rm(scratch, { recursive: true, force: true });
  }
  console.log(formatTable(rows));
  console.log(`SMTP sink received ${sink.messages} messages, ${(sink.bytes / 2 ** 20).toFixed(1)} MB.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (process.env.DEBUG) console.error(error);
  process.exit(1);
});
