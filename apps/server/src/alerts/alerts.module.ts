import { Module } from '@nestjs/common';
import { RunRepository, type MailRepository } from '@spotlight/core';
import { AuditModule } from '../audit/audit.module';
import { AuditRepository } from '../audit/audit.repository';
import type { ServerSettings } from '../config/server.settings';
import { MAIL, SERVER_SETTINGS } from '../database/database.tokens';
import { ScheduleRepository } from '../schedules/schedule.repository';
import { SchedulesModule } from '../schedules/schedules.module';
import { AlertService } from './alert.service';

/** What reaches support when a run finally fails. */
@Module({
  imports: [AuditModule, SchedulesModule],
  providers: [
    {
      provide: AlertService,
      inject: [RunRepository, ScheduleRepository, AuditRepository, MAIL, SERVER_SETTINGS],
      useFactory: (
        runs: RunRepository,
        schedules: ScheduleRepository,
        audit: AuditRepository,
        mail: MailRepository,
        settings: ServerSettings,
      ) =>
        new AlertService(runs, schedules, audit, mail, {
          ...settings.alerts,
          scheduleMaxFailures: settings.scheduleMaxFailures,
          mailFrom: settings.core.mailFrom,
        }),
    },
  ],
  exports: [AlertService],
})
export class AlertsModule {}
