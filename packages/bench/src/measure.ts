/*
 * One measurement in a process of its own, so that its peak RSS
 * (process.resourceUsage().maxRSS) is its own and nothing earlier inflates it.
 * The parent forks this file with a Job as JSON in argv and gets a Measurement
 * back over IPC.
 */
import { performance } from 'node:perf_hooks';
import { ActivityRepository, createCoreServices, loadCoreSettings, readInBatches } from '@spotlight/core';
import { SiteScanRepository } from './site-scan.repository';

export type Job =
  | { kind: 'idle'; url: string }
  | { kind: 'floor'; url: string; siteId: number; customer: string; recipient: string }
  | { kind: 'scan'; url: string; siteId: number }
  | { kind: 'export'; url: string; customer: string; recipient: string; smtpUrl: string; tmpDir: string };

export interface Measurement {
  ms: number;
  /** Peak resident set size of the process, bytes. */
  peakRss: number;
  queries: number;
  /** Rows the database sent (floor), counted (scan) or users written (export). */
  rows: number;
  bytes: number;
  /** Floor only: when the first row arrived, ms; the database's own work before it can stream. */
  firstRowMs?: number;
}

async function run(job: Job): Promise<Omit<Measurement, 'peakRss'>> {
  const core = createCoreServices(
    loadCoreSettings({
      DATABASE_URL: job.url,
      SMTP_URL: job.kind === 'export' ? job.smtpUrl : undefined,
      MAIL_FROM: 'bench@spotlight.invalid',
      // The bench measures the workbook and its attachment: no size makes it a link.
      SPOTLIGHT_MAX_ATTACHMENT_BYTES: String(Number.MAX_SAFE_INTEGER),
      SPOTLIGHT_DATA_DIR: job.kind === 'export' ? job.tmpDir : undefined,
      SPOTLIGHT_SCRATCH_DIR: job.kind === 'export' ? job.tmpDir : undefined,
      // A shared, busy server can take more than the default minute before the
      // first row at 100k users; the bench measures that wait, it must not end it.
      SPOTLIGHT_DB_IDLE_TIMEOUT_MS: '900000',
    }),
    { pool: { min: 0, max: 2 } },
  );
  try {
    if (job.kind === 'idle') {
      // What loading the code and opening a connection cost, for reference.
      await core.db.raw('SELECT 1');
      return { ms: 0, queries: 1, rows: 0, bytes: 0 };
    }
    if (job.kind === 'floor') {
      // The export's own SQL, in the order and the one snapshot the export
      // runs it: the recipient guard, the activity statement (rows read and
      // discarded), the Communities sheet's statement.
      const activity = new ActivityRepository(core.readDb);
      const started = performance.now();
      let firstRowMs: number | undefined;
      const { result: rows, queries } = await activity.inSnapshot(async (snapshot) => {
        await snapshot.findSiteAndUsers(job.customer, job.recipient);
        let count = 0;
        // Read as the export reads them: as many rows at a time as have arrived.
        for await (const rows of readInBatches(snapshot.streamActivityRows(job.siteId))) {
          if (count === 0) firstRowMs = performance.now() - started;
          count += rows.length;
        }
        for await (const community of snapshot.streamCommunities(job.siteId)) if (community) count += 1;
        return count;
      });
      return { ms: performance.now() - started, queries, rows, bytes: 0, firstRowMs };
    }
    if (job.kind === 'scan') {
      // The physical floor: each activity kind of the site counted alone,
      // without grouping by user, sorting or sending a row.
      const started = performance.now();
      const { result: counts, queries } = await new SiteScanRepository(core.readDb).countSiteActivity(
        job.siteId,
      );
      const rows = Object.values(counts).reduce((sum, n) => sum + n, 0);
      return { ms: performance.now() - started, queries, rows, bytes: 0 };
    }
    const started = performance.now();
    const summary = await core.exports.exportToEmail({ customer: job.customer, recipient: job.recipient });
    return {
      ms: performance.now() - started,
      queries: summary.queries,
      rows: summary.active + summary.inactive,
      bytes: summary.bytes,
    };
  } finally {
    await core.close();
  }
}

const job = JSON.parse(process.argv[2]) as Job;
run(job).then(
  (result) => {
    const measurement: Measurement = { ...result, peakRss: process.resourceUsage().maxRSS * 1024 };
    process.send!(measurement, () => process.exit(0));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
