import type { Provider } from '@nestjs/common';
import type { Knex } from 'knex';
import type { ServerSettings } from '../config/server.settings';
import { PRIMARY_DB } from '../database/database.tokens';
import { ExportMetrics } from './export-metrics';
import { QueueMetricsRepository } from './queue-metrics.repository';
import { RunTelemetry } from './run-telemetry';

/** The metrics of this instance and what feeds them. */
export function metricsProviders(settings: ServerSettings): Provider[] {
  return [
    {
      provide: ExportMetrics,
      inject: [PRIMARY_DB],
      useFactory: (db: Knex) =>
        new ExportMetrics(new QueueMetricsRepository(db), { queueTimeoutMs: settings.probeTimeoutMs }),
    },
    {
      provide: RunTelemetry,
      inject: [ExportMetrics],
      useFactory: (metrics: ExportMetrics) => new RunTelemetry(metrics),
    },
  ];
}
