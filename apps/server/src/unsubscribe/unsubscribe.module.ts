import { Module } from '@nestjs/common';
import type { Knex } from 'knex';
import { ActivityRepository, ScheduleRepository, SigningSecretRepository } from '@spotlight/core';
import { AlertService } from '../alerts/alert.service';
import { AlertsModule } from '../alerts/alerts.module';
import { AuditModule } from '../audit/audit.module';
import { AuditRepository } from '../audit/audit.repository';
import type { ServerSettings } from '../config/server.settings';
import { PRIMARY_DB, SERVER_SETTINGS } from '../database/database.tokens';
import { UnsubscribeController } from './unsubscribe.controller';
import { UnsubscribeService } from './unsubscribe.service';

/** The one-click unsubscribe links of scheduled emails: made by the worker, followed here. */
@Module({
  imports: [AuditModule, AlertsModule],
  controllers: [UnsubscribeController],
  providers: [
    {
      provide: UnsubscribeService,
      inject: [PRIMARY_DB, AuditRepository, AlertService, SERVER_SETTINGS],
      useFactory: (db: Knex, audit: AuditRepository, alerts: AlertService, settings: ServerSettings) =>
        new UnsubscribeService(
          new ScheduleRepository(db),
          new ActivityRepository(db),
          new SigningSecretRepository(db),
          audit,
          alerts,
          { publicUrl: settings.core.publicUrl, signingSecret: settings.signingSecret },
        ),
    },
  ],
  exports: [UnsubscribeService],
})
export class UnsubscribeModule {}
