import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDatabase, createServerConnection, migrateLatest, SPOTLIGHT_TABLE as T } from '@spotlight/core';
import { generateCustomer, type GenerateReport } from '@spotlight/seed';

export type BenchDialect = 'mariadb' | 'sqlite';

/** Where bench state lives: SQLite files and the reports of kept databases. */
/** The tables the export reads, whose statistics MariaDB refreshes after a generation. */
const ANALYZED_TABLES = [
  T.user,
  T.community,
  T.communityManagers,
  T.communityMembers,
  T.challenge,
  T.idea,
  T.ideaVote,
  T.conversation,
  T.comment,
  T.commentLikes,
];

export const BENCH_DIR = path.join(os.tmpdir(), 'spotlight-bench');

export interface BenchDatabase {
  dialect: BenchDialect;
  users: number;
  url: string;
  report: GenerateReport;
  /** Whether it was generated now (false: kept from an earlier run with --keep). */
  generated: boolean;
  generateMs: number;
  drop(): Promise<void>;
}

const SEED = 2024;

/**
 * A database holding one generated customer of `users` users (and its noise
 * sites): `spotlight_bench_<users>` on the MariaDB server, or a SQLite file
 * under {@link BENCH_DIR}. With `keep`, one left by an earlier run is reused.
 */
export async function benchDatabase(
  dialect: BenchDialect,
  users: number,
  options: { mysqlServerUrl: string; keep: boolean; log: (message: string) => void },
): Promise<BenchDatabase> {
  await fs.promises.mkdir(BENCH_DIR, { recursive: true });
  const name = `spotlight_bench_${users}`;
  const reportFile = path.join(BENCH_DIR, `${dialect}-${name}.json`);
  let url: string;
  let admin: Knex | null = null;
  let exists: boolean;
  if (dialect === 'mariadb') {
    url = `${options.mysqlServerUrl.replace(/\/?$/, '/')}${name}`;
    admin = createServerConnection(options.mysqlServerUrl);
    const found = await admin.raw('SHOW DATABASES LIKE ?', [name]);
    exists = (found[0] as unknown[]).length > 0;
  } else {
    const file = path.join(BENCH_DIR, `${name}.sqlite`);
    url = `sqlite://${file}`;
    exists = fs.existsSync(file);
  }
  const drop = async () => {
    if (admin) {
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    } else {
      for (const suffix of ['', '-wal', '-shm'])
        await fs.promises.rm(`${url.slice('sqlite://'.length)}${suffix}`, { force: true });
    }
    await fs.promises.rm(reportFile, { force: true });
  };
  const close = async () => {
    await admin?.destroy();
  };

  if (exists && options.keep && fs.existsSync(reportFile)) {
    options.log(`${dialect} ${users}: reusing ${name} kept by an earlier run`);
    const report = JSON.parse(await fs.promises.readFile(reportFile, 'utf8')) as GenerateReport;
    return {
      dialect,
      users,
      url,
      report,
      generated: false,
      generateMs: 0,
      drop: options.keep ? close : drop,
    };
  }
  if (exists) await dropOnly(admin, name, url);
  if (admin) await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);

  const db = createDatabase(url);
  try {
    await migrateLatest(db, { spotlightSchema: 'always' });
    options.log(`${dialect} ${users}: generating ${users} users (seed ${SEED})`);
    const report = await generateCustomer(db, {
      users,
      seed: SEED,
      domain: `bench-${users}.example.com`,
      noiseSites: 2,
    });
    if (admin) await db.raw(`ANALYZE TABLE ${ANALYZED_TABLES.join(', ')}`);
    else await db.raw('ANALYZE');
    await fs.promises.writeFile(reportFile, JSON.stringify(report));
    return {
      dialect,
      users,
      url,
      report,
      generated: true,
      generateMs: report.durationMs,
      drop: options.keep ? close : drop,
    };
  } finally {
    await db.destroy();
  }
}

async function dropOnly(admin: Knex | null, name: string, url: string): Promise<void> {
  if (admin) await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  else
    for (const suffix of ['', '-wal', '-shm'])
      await fs.promises.rm(`${url.slice('sqlite://'.length)}${suffix}`, { force: true });
}
