import { Module } from '@nestjs/common';
import type { Knex } from 'knex';
import { PRIMARY_DB } from '../database/database.tokens';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** The audit trail: every feature records to it, staff tokens read it. */
@Module({
  controllers: [AuditController],
  providers: [
    { provide: AuditRepository, inject: [PRIMARY_DB], useFactory: (db: Knex) => new AuditRepository(db) },
    {
      provide: AuditService,
      inject: [AuditRepository],
      useFactory: (audit: AuditRepository) => new AuditService(audit),
    },
  ],
  exports: [AuditRepository],
})
export class AuditModule {}
