/*
 * The CLI's memory: `spotlight export user-activity` run as a support person
 * runs it (apps/cli/bin/run.js, with the node flags of its first line), mail
 * sent to the bench's SMTP sink. Two figures per size:
 * - idle: the same command for a recipient who is not a manager, which stops
 *   after the customer and manager look-ups, before the first activity row:
 *   the code a CLI export loads, a connection, and nothing else;
 * - peak: the whole export.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface CliTarget {
  url: string;
  customer: string;
  recipient: string;
  smtpUrl: string;
  /** SPOTLIGHT_DATA_DIR of the CLI: its scratch files and default folders. */
  dataDir: string;
}

export interface CliMemoryRow {
  dialect: string;
  users: number;
  /** Peak RSS, bytes, of a CLI export stopped before its first row. */
  idle: number;
  /** Peak RSS, bytes, of the whole CLI export. */
  peak: number;
}

const CLI_BIN = path.resolve(__dirname, '..', '..', '..', 'apps', 'cli', 'bin', 'run.js');
const PROBE = path.join(__dirname, 'rss-probe.js');
const MB = 2 ** 20;

/** The highest of `runs` CLI exports' peaks, and the idle figure, for one customer. */
export async function measureCliMemory(
  target: CliTarget,
  runs: number,
): Promise<{ idle: number; peak: number }> {
  if (!fs.existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build the CLI first (pnpm build)`);
  const idle = await cliPeakRss(target, `not-a-manager@${target.customer}`, false);
  let peak = 0;
  for (let run = 0; run < runs; run += 1)
    peak = Math.max(peak, await cliPeakRss(target, target.recipient, true));
  return { idle, peak };
}

async function cliPeakRss(target: CliTarget, recipient: string, mustSucceed: boolean): Promise<number> {
  const rssFile = path.join(target.dataDir, `rss-${process.pid}-${Date.now()}`);
  const args = ['export', 'user-activity', '-c', target.customer, '-e', recipient, '--json'];
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        CLI_BIN,
        args,
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DATABASE_URL: target.url,
            SMTP_URL: target.smtpUrl,
            MAIL_FROM: 'bench@spotlight.invalid',
            SPOTLIGHT_DATA_DIR: target.dataDir,
            // Memory is measured here, not how long a busy server takes to its first row.
            SPOTLIGHT_DB_IDLE_TIMEOUT_MS: '3600000',
            NODE_OPTIONS: `--require ${PROBE}`,
            SPOTLIGHT_BENCH_RSS_FILE: rssFile,
          },
          timeout: 30 * 60_000,
          maxBuffer: 16 * MB,
        },
        (error, _stdout, stderr) => {
          if (error && mustSucceed)
            reject(new Error(`spotlight ${args.join(' ')} failed: ${stderr || error.message}`));
          else resolve();
        },
      );
    });
    return Number(await fs.promises.readFile(rssFile, 'utf8'));
  } finally {
    await fs.promises.rm(rssFile, { force: true });
  }
}

/** The CLI's idle and peak RSS per size, as a Markdown table. */
export function formatMemoryTable(rows: CliMemoryRow[]): string {
  const header = ['database', 'users', 'CLI idle RSS MB', 'CLI peak RSS MB'];
  const body = rows.map((row) => [
    row.dialect,
    row.users.toLocaleString('en'),
    (row.idle / MB).toFixed(0),
    (row.peak / MB).toFixed(0),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i < 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const spreads = [...new Set(rows.map((row) => row.dialect))].map((dialect) => {
    const peaks = rows.filter((row) => row.dialect === dialect).map((row) => row.peak);
    return `${dialect} ${((Math.max(...peaks) - Math.min(...peaks)) / MB).toFixed(0)} MB`;
  });
  return [
    line(header),
    `|${widths.map((width, i) => (i < 1 ? ':-' : '-') + '-'.repeat(width) + (i < 1 ? '' : ':')).join('|')}|`,
    ...body.map(line),
    '',
    `CLI peak RSS from the smallest size to the largest: ${spreads.join(', ')}.`,
  ].join('\n');
}
