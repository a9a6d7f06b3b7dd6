import { Module } from '@nestjs/common';
import type { Knex } from 'knex';
import type { ServerSettings } from '../config/server.settings';
import { PRIMARY_DB, SERVER_SETTINGS } from '../database/database.tokens';
import { ExportMetrics } from './export-metrics';
import { MetricsController } from './metrics.controller';
import { QueueMetricsRepository } from './queue-metrics.repository';
import { RunTelemetry } from './run-telemetry';

/** The metrics of this instance and what feeds them. */
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: ExportMetrics,
      inject: [PRIMARY_DB, SERVER_SETTINGS],
      useFactory: (db: Knex, settings: ServerSettings) =>
        new ExportMetrics(new QueueMetricsRepository(db), { queueTimeoutMs: settings.probeTimeoutMs }),
    },
    {
      provide: RunTelemetry,
      inject: [ExportMetrics],
      useFactory: (metrics: ExportMetrics) => new RunTelemetry(metrics),
    },
  ],
  exports: [ExportMetrics, RunTelemetry],
})
export class MetricsModule {}
