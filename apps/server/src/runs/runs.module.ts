import { Module } from '@nestjs/common';
import { ExportService, RunRepository, maskUrl } from '@spotlight/core';
import { AlertService } from '../alerts/alert.service';
import { AlertsModule } from '../alerts/alerts.module';
import { UnsubscribeModule } from '../unsubscribe/unsubscribe.module';
import { UnsubscribeService } from '../unsubscribe/unsubscribe.service';
import type { ServerSettings } from '../config/server.settings';
import { READ_DB, SERVER_SETTINGS } from '../database/database.tokens';
import { MetricsModule } from '../metrics/metrics.module';
import { RunTelemetry } from '../metrics/run-telemetry';
import type { Knex } from 'knex';
import { ExportRunner } from './export-runner.service';
import { ExportSlotRepository } from './export-slot.repository';
import { ExportWorkerJob } from './export-worker.job';

/** The worker of this instance: it claims queued runs and executes them. */
@Module({
  imports: [AlertsModule, MetricsModule, UnsubscribeModule],
  providers: [
    {
      provide: ExportRunner,
      inject: [
        RunRepository,
        ExportService,
        AlertService,
        RunTelemetry,
        READ_DB,
        SERVER_SETTINGS,
        UnsubscribeService,
      ],
      useFactory: (
        runs: RunRepository,
        exports: ExportService,
        alerts: AlertService,
        observer: RunTelemetry,
        readDb: Knex,
        settings: ServerSettings,
        unsubscribe: UnsubscribeService,
      ) =>
        new ExportRunner(runs, exports, {
          instanceId: settings.instanceId,
          leaseMs: settings.runLeaseMs,
          mailMaxAttempts: settings.mailMaxAttempts,
          mailRetryBaseMs: settings.mailRetryBaseMs,
          lockWaitMaxMs: settings.lockWaitMaxMs,
          // Every wait on the database fails within its idle bound: twice that without progress means stuck.
          progressBoundMs: 2 * settings.core.databaseTimeouts.idleMs,
          databaseLabel: maskUrl(settings.core.databaseUrl),
          failures: alerts,
          slots:
            settings.maxConcurrentExports > 0
              ? new ExportSlotRepository(readDb, settings.maxConcurrentExports)
              : undefined,
          observer,
          unsubscribeLinks: unsubscribe,
        }),
    },
    ExportWorkerJob,
  ],
  exports: [ExportRunner, ExportWorkerJob],
})
export class RunsModule {}
