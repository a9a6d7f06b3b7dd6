import { Module } from '@nestjs/common';
import type { Knex } from 'knex';
import type { ServerSettings } from '../config/server.settings';
import { PRIMARY_DB, READ_DB, SERVER_SETTINGS } from '../database/database.tokens';
import { ExportMetrics } from '../metrics/export-metrics';
import { MetricsModule } from '../metrics/metrics.module';
import { DatabaseProbeRepository } from './database-probe.repository';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';
import { ShutdownNotice } from './shutdown-notice';

/** Liveness and readiness: the databases answer in time and the scheduler ticks. */
@Module({
  imports: [MetricsModule],
  controllers: [HealthController],
  providers: [
    ShutdownNotice,
    {
      provide: ReadinessService,
      inject: [PRIMARY_DB, READ_DB, ExportMetrics, SERVER_SETTINGS],
      useFactory: (primary: Knex, replica: Knex, metrics: ExportMetrics, settings: ServerSettings) =>
        new ReadinessService(
          primary === replica
            ? { primary: new DatabaseProbeRepository(primary) }
            : {
                primary: new DatabaseProbeRepository(primary),
                replica: new DatabaseProbeRepository(replica),
              },
          {
            timeoutMs: settings.probeTimeoutMs,
            scheduler: settings.background
              ? {
                  lastTickAt: () => metrics.lastSchedulerTickAt,
                  startedAt: metrics.started,
                  staleAfterMs: settings.schedulerStaleMs,
                }
              : null,
          },
        ),
    },
  ],
})
export class HealthModule {}
