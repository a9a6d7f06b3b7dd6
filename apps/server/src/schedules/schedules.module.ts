import { Module } from '@nestjs/common';
import type { Knex } from 'knex';
import { CoreServices, ExportService, RunRepository } from '@spotlight/core';
import { AuditModule } from '../audit/audit.module';
import { AuditRepository } from '../audit/audit.repository';
import type { ServerSettings } from '../config/server.settings';
import { PRIMARY_DB, SERVER_SETTINGS } from '../database/database.tokens';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleService } from './schedule.service';
import { SchedulesController } from './schedules.controller';

/** Schedules: the API that manages them and the planner that turns due ones into queued runs. */
@Module({
  imports: [AuditModule],
  controllers: [SchedulesController],
  providers: [
    {
      provide: ScheduleRepository,
      inject: [PRIMARY_DB],
      useFactory: (db: Knex) => new ScheduleRepository(db),
    },
    {
      provide: ScheduleService,
      inject: [
        ScheduleRepository,
        RunRepository,
        ExportService,
        AuditRepository,
        CoreServices,
        SERVER_SETTINGS,
      ],
      useFactory: (
        schedules: ScheduleRepository,
        runs: RunRepository,
        exports: ExportService,
        audit: AuditRepository,
        core: CoreServices,
        settings: ServerSettings,
      ) =>
        // core.schedules: the run-now of `spotlight schedules run`, shared.
        new ScheduleService(schedules, runs, exports, audit, core.schedules, {
          minIntervalMinutes: settings.scheduleMinIntervalMinutes,
          planBatchSize: settings.scheduleBatchSize,
          jitterMs: settings.scheduleJitterMs,
          publicUrl: settings.core.publicUrl,
        }),
    },
  ],
  exports: [ScheduleRepository, ScheduleService],
})
export class SchedulesModule {}
