import { Module } from '@nestjs/common';
import type { Knex } from 'knex';
import { RunRepository, type MailRepository } from '@spotlight/core';
import { AuditModule } from '../audit/audit.module';
import { AuditRepository } from '../audit/audit.repository';
import type { ServerSettings } from '../config/server.settings';
import { ALERT_MAIL, PRIMARY_DB, SERVER_SETTINGS } from '../database/database.tokens';
import { ExportMetrics } from '../metrics/export-metrics';
import { MetricsModule } from '../metrics/metrics.module';
import { ScheduleRepository } from '../schedules/schedule.repository';
import { SchedulesModule } from '../schedules/schedules.module';
import { AlertService } from './alert.service';
import { PendingAlertRepository } from './pending-alert.repository';

/** What reaches support when a run finally fails. */
@Module({
  imports: [AuditModule, MetricsModule, SchedulesModule],
  providers: [
    {
      provide: PendingAlertRepository,
      inject: [PRIMARY_DB],
      useFactory: (db: Knex) => new PendingAlertRepository(db),
    },
    {
      provide: AlertService,
      inject: [
        RunRepository,
        ScheduleRepository,
        AuditRepository,
        ALERT_MAIL,
        PendingAlertRepository,
        ExportMetrics,
        SERVER_SETTINGS,
      ],
      useFactory: (
        runs: RunRepository,
        schedules: ScheduleRepository,
        audit: AuditRepository,
        mail: MailRepository,
        pending: PendingAlertRepository,
        metrics: ExportMetrics,
        settings: ServerSettings,
      ) =>
        new AlertService(runs, schedules, audit, mail, pending, metrics, {
          ...settings.alerts,
          scheduleMaxFailures: settings.scheduleMaxFailures,
          mailFrom: settings.core.mailFrom,
        }),
    },
  ],
  exports: [AlertService],
})
export class AlertsModule {}
