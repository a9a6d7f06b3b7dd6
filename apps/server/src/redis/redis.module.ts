import { Global, Module } from '@nestjs/common';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { ExportMetrics } from '../metrics/export-metrics';
import { MetricsModule } from '../metrics/metrics.module';
import { SharedRedis } from './shared-redis';

/** The Redis the instances share their limits through, when SPOTLIGHT_REDIS_URL is set. */
@Global()
@Module({
  imports: [MetricsModule],
  providers: [
    {
      provide: SharedRedis,
      inject: [SERVER_SETTINGS, ExportMetrics],
      useFactory: (settings: ServerSettings, metrics: ExportMetrics) =>
        new SharedRedis(settings.redis, { registry: metrics.registry }),
    },
  ],
  exports: [SharedRedis],
})
export class RedisModule {}
