import type { Provider } from '@nestjs/common';
import type { Knex } from 'knex';
import type { ServerSettings } from '../config/server.settings';
import { PRIMARY_DB, READ_DB } from '../database/database.tokens';
import { ExportMetrics } from '../metrics/export-metrics';
import { DatabaseProbeRepository } from './database-probe.repository';
import { ReadinessService } from './readiness.service';

export function healthProviders(settings: ServerSettings): Provider[] {
  return [
    {
      provide: ReadinessService,
      inject: [PRIMARY_DB, READ_DB, ExportMetrics],
      useFactory: (primary: Knex, replica: Knex, metrics: ExportMetrics) =>
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
  ];
}
