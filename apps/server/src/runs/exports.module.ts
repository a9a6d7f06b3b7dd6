import { Module } from '@nestjs/common';
import { ExportService, RunRepository } from '@spotlight/core';
import { AuditModule } from '../audit/audit.module';
import { AuditRepository } from '../audit/audit.repository';
import { CustomersModule } from '../customers/customers.module';
import { ExportWorkerJob } from './export-worker.job';
import { ExportsController } from './exports.controller';
import { ExportWorkbookController } from './export-workbook.controller';
import { RunHistoryService } from './run-history.service';
import { RunQueueService } from './run-queue.service';
import { RunsModule } from './runs.module';

/** The exports API: queue an export (this instance's worker starts on it at once) and read the history. */
@Module({
  imports: [AuditModule, CustomersModule, RunsModule],
  controllers: [ExportsController, ExportWorkbookController],
  providers: [
    {
      provide: RunQueueService,
      inject: [RunRepository, ExportService, AuditRepository, ExportWorkerJob],
      useFactory: (
        runs: RunRepository,
        exports: ExportService,
        audit: AuditRepository,
        worker: ExportWorkerJob,
      ) => new RunQueueService(runs, exports, audit, { onQueued: () => worker.wake() }),
    },
    {
      provide: RunHistoryService,
      inject: [RunRepository],
      useFactory: (runs: RunRepository) => new RunHistoryService(runs),
    },
  ],
})
export class ExportsModule {}
