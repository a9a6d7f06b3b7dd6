import { ArgumentMetadata, DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { TokenGuard } from './auth/token.guard';
import type { ServerSettings } from './config/server.settings';
import { CustomersModule } from './customers/customers.module';
import { CoreModule } from './database/core.module';
import { SpotlightExceptionFilter } from './errors/spotlight-exception.filter';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { ExportsModule } from './runs/exports.module';
import { RedisModule } from './redis/redis.module';
import { RunsModule } from './runs/runs.module';
import { SchedulesModule } from './schedules/schedules.module';
import { UnsubscribeModule } from './unsubscribe/unsubscribe.module';

/**
 * Validates bodies and queries against their DTOs. Path parameters are left
 * to their own pipes: converted here, "0x1" and "1e0" would already be 1.
 */
class RequestValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/**
 * The admin API and the background exports: one module per feature, each
 * wiring its own providers around core's services. Only what applies to
 * every request is registered here.
 */
@Module({})
export class AppModule {
  static forRoot(settings: ServerSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(settings),
        ScheduleModule.forRoot(),
        RedisModule,
        AuthModule,
        ExportsModule,
        RunsModule,
        CustomersModule,
        SchedulesModule,
        HealthModule,
        AuditModule,
        MetricsModule,
        AlertsModule,
        JobsModule,
        UnsubscribeModule,
      ],
      providers: [
        // In this order: the per-token limit counts the token TokenGuard found.
        { provide: APP_GUARD, useClass: TokenGuard },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_FILTER, useClass: SpotlightExceptionFilter },
        {
          provide: APP_PIPE,
          useValue: new RequestValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
            stopAtFirstError: false,
          }),
        },
      ],
    };
  }
}
