import { Module } from '@nestjs/common';
import { RunRepository } from '@spotlight/core';
import { AlertsModule } from '../alerts/alerts.module';
import { AuditModule } from '../audit/audit.module';
import { AuditRepository } from '../audit/audit.repository';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { HistoryRetentionService } from '../history/history-retention.service';
import { MetricsModule } from '../metrics/metrics.module';
import { RunsModule } from '../runs/runs.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { AlertRetryJob } from './alert-retry.job';
import { DownloadCleanupJob } from './download-cleanup.job';
import { HistoryRetentionJob } from './history-retention.job';
import { SchedulerJob } from './scheduler.job';

/** The timed work of instances with background work: planning schedules and housekeeping. */
@Module({
  imports: [AlertsModule, AuditModule, MetricsModule, RunsModule, SchedulesModule],
  providers: [
    SchedulerJob,
    AlertRetryJob,
    DownloadCleanupJob,
    {
      provide: HistoryRetentionService,
      inject: [RunRepository, AuditRepository, SERVER_SETTINGS],
      useFactory: (runs: RunRepository, audit: AuditRepository, settings: ServerSettings) =>
        new HistoryRetentionService(runs, audit, { days: settings.historyDays }),
    },
    HistoryRetentionJob,
  ],
})
export class JobsModule {}
