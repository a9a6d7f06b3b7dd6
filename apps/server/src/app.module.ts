import { DynamicModule, Logger, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Knex } from 'knex';
import {
  CoreServices,
  DownloadService,
  ExportService,
  RunRepository,
  TokenService,
  createCoreServices,
  maskUrl,
  type MailRepository,
} from '@spotlight/core';
import { AlertService } from './alerts/alert.service';
import { AuditController } from './audit/audit.controller';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { HistoryRetentionService } from './history/history-retention.service';
import { HistoryRetentionJob } from './jobs/history-retention.job';
import { tokenRateLimit } from './auth/rate-limits';
import { TokenGuard } from './auth/token.guard';
import { poolSizeFor, type ServerSettings } from './config/server.settings';
import { CustomersController } from './customers/customers.controller';
import { DownloadLimiter } from './customers/download-limiter';
import { DownloadsController } from './downloads/downloads.controller';
import { DatabaseLifecycle } from './database/database.lifecycle';
import { MAIL, PRIMARY_DB, READ_DB, SERVER_SETTINGS } from './database/database.tokens';
import { SpotlightExceptionFilter } from './errors/spotlight-exception.filter';
import { HealthController } from './health/health.controller';
import { healthProviders } from './health/health.providers';
import { MetricsController } from './metrics/metrics.controller';
import { metricsProviders } from './metrics/metrics.providers';
import { RunTelemetry } from './metrics/run-telemetry';
import { DownloadCleanupJob } from './jobs/download-cleanup.job';
import { ExportWorkerJob, SchedulerJob } from './jobs/export.jobs';
import { ExportRunService } from './runs/export-run.service';
import { ExportRunner } from './runs/export-runner.service';
import { ExportSlotRepository } from './runs/export-slot.repository';
import { ExportsController } from './runs/exports.controller';
import { ScheduleRepository } from './schedules/schedule.repository';
import { ScheduleService } from './schedules/schedule.service';
import { SchedulesController } from './schedules/schedules.controller';

/**
 * The admin API and the background exports. Providers only wire: the
 * repositories and services are plain classes from core and this app.
 */
@Module({})
export class AppModule {
  static forRoot(settings: ServerSettings): DynamicModule {
    // knex prints pool errors ("Acquire connection error") on stdout; they belong in the log.
    const databaseLog = new Logger('Database');
    const core = createCoreServices(settings.core, {
      // Exports read from the replica; locks, links and runs are written to the primary.
      readDatabaseUrl: settings.readDatabaseUrl,
      pool: { max: poolSizeFor(settings) },
      smtpPool: { maxConnections: settings.smtpMaxConnections },
      databaseLog: {
        warn: (message: unknown) => databaseLog.warn(String(message)),
        error: (message: unknown) => databaseLog.error(String(message)),
        deprecate: (message: unknown) => databaseLog.warn(String(message)),
        debug: (message: unknown) => databaseLog.debug(String(message)),
      },
    });
    // Opened at start: it removes the scratch of CLI and server processes killed mid-export.
    core.openScratch();
    return {
      module: AppModule,
      imports: [ScheduleModule.forRoot(), ThrottlerModule.forRoot(tokenRateLimit(settings))],
      controllers: [
        ExportsController,
        CustomersController,
        SchedulesController,
        DownloadsController,
        HealthController,
        AuditController,
        MetricsController,
      ],
      providers: [
        { provide: SERVER_SETTINGS, useValue: settings },
        { provide: CoreServices, useValue: core },
        { provide: PRIMARY_DB, useFactory: () => core.db },
        { provide: READ_DB, useFactory: () => core.readDb },
        { provide: MAIL, useFactory: () => core.mail },
        DatabaseLifecycle,
        { provide: TokenService, useFactory: () => core.tokens },
        { provide: AuditRepository, inject: [PRIMARY_DB], useFactory: (db: Knex) => new AuditRepository(db) },
        { provide: RunRepository, useFactory: () => core.runs },
        {
          provide: ScheduleRepository,
          inject: [PRIMARY_DB],
          useFactory: (db: Knex) => new ScheduleRepository(db),
        },
        { provide: DownloadService, useFactory: () => core.downloads },
        { provide: ExportService, useFactory: () => core.exports },
        {
          provide: ExportRunService,
          inject: [RunRepository, ExportService, AuditRepository],
          useFactory: (runs: RunRepository, exports: ExportService, audit: AuditRepository) =>
            new ExportRunService(runs, exports, audit),
        },
        {
          provide: ScheduleService,
          inject: [ScheduleRepository, RunRepository, ExportService, AuditRepository],
          useFactory: (
            schedules: ScheduleRepository,
            runs: RunRepository,
            exports: ExportService,
            audit: AuditRepository,
          ) =>
            new ScheduleService(schedules, runs, exports, audit, {
              minIntervalMinutes: settings.scheduleMinIntervalMinutes,
              planBatchSize: settings.scheduleBatchSize,
              jitterMs: settings.scheduleJitterMs,
            }),
        },
        {
          provide: AlertService,
          inject: [RunRepository, ScheduleRepository, AuditRepository, MAIL],
          useFactory: (
            runs: RunRepository,
            schedules: ScheduleRepository,
            audit: AuditRepository,
            mail: MailRepository,
          ) =>
            new AlertService(runs, schedules, audit, mail, {
              ...settings.alerts,
              scheduleMaxFailures: settings.scheduleMaxFailures,
              mailFrom: settings.core.mailFrom,
            }),
        },
        {
          provide: ExportRunner,
          inject: [RunRepository, ExportService, AlertService, RunTelemetry],
          useFactory: (
            runs: RunRepository,
            exports: ExportService,
            alerts: AlertService,
            observer: RunTelemetry,
          ) =>
            new ExportRunner(runs, exports, {
              instanceId: settings.instanceId,
              leaseMs: settings.runLeaseMs,
              mailMaxAttempts: settings.mailMaxAttempts,
              mailRetryBaseMs: settings.mailRetryBaseMs,
              // Every wait on the database fails within its idle bound: twice that without progress means stuck.
              progressBoundMs: 2 * settings.core.databaseTimeouts.idleMs,
              databaseLabel: maskUrl(settings.core.databaseUrl),
              failures: alerts,
              slots:
                settings.maxConcurrentExports > 0
                  ? new ExportSlotRepository(core.readDb, settings.maxConcurrentExports)
                  : undefined,
              observer,
            }),
        },
        ...metricsProviders(settings),
        ...healthProviders(settings),
        ExportWorkerJob,
        SchedulerJob,
        DownloadCleanupJob,
        {
          provide: AuditService,
          inject: [AuditRepository],
          useFactory: (audit: AuditRepository) => new AuditService(audit),
        },
        {
          provide: HistoryRetentionService,
          inject: [RunRepository, AuditRepository],
          useFactory: (runs: RunRepository, audit: AuditRepository) =>
            new HistoryRetentionService(runs, audit, { days: settings.historyDays }),
        },
        HistoryRetentionJob,
        {
          provide: DownloadLimiter,
          useFactory: () =>
            new DownloadLimiter({
              perCustomer: settings.maxDownloadsPerCustomer,
              total: settings.maxDownloads,
            }),
        },
        // In this order: the per-token limit counts the token TokenGuard found.
        { provide: APP_GUARD, useClass: TokenGuard },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_FILTER, useClass: SpotlightExceptionFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
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
