import { SchedulerRegistry } from '@nestjs/schedule';
import type { ServerSettings } from '../config/server.settings';
import { ExportWorkerJob } from '../runs/export-worker.job';
import type { ExportRunner } from '../runs/export-runner.service';
import { AlertRetryJob } from './alert-retry.job';
import { DownloadCleanupJob } from './download-cleanup.job';
import { HistoryRetentionJob } from './history-retention.job';
import { IntervalJob } from './interval.job';
import { SchedulerJob } from './scheduler.job';

describe('jobs that run every so often', () => {
  it('are all IntervalJobs, so each starts only on background instances and stops at shutdown the same way', () => {
    for (const job of [AlertRetryJob, DownloadCleanupJob, HistoryRetentionJob, SchedulerJob, ExportWorkerJob])
      expect(job.prototype).toBeInstanceOf(IntervalJob);
  });

  it('the export worker registers its poll on a background instance and removes it at shutdown', async () => {
    const registry = new SchedulerRegistry();
    const runner = { runNext: () => Promise.resolve(null) } as unknown as ExportRunner;
    const settings = { background: true, workerPollMs: 60_000, shutdownGraceMs: 1_000 } as ServerSettings;
    const worker = new ExportWorkerJob(runner, registry, settings);
    worker.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual(['export-worker']);
    await worker.beforeApplicationShutdown();
    expect(registry.getIntervals()).toEqual([]);

    const foreground = new ExportWorkerJob(runner, registry, { ...settings, background: false });
    foreground.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([]);
  });
});
