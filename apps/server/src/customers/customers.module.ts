import { Module } from '@nestjs/common';
import { CoreServices, CustomerService } from '@spotlight/core';
import { AuditModule } from '../audit/audit.module';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { DownloadsController } from '../downloads/downloads.controller';
import { CustomersController } from './customers.controller';
import { SharedRedis } from '../redis/shared-redis';
import { DownloadLimiter } from './download-limiter';

/**
 * Customers and their managers, and their workbooks fetched over HTTP:
 * streamed straight from the database, or behind an emailed link.
 */
@Module({
  imports: [AuditModule],
  controllers: [CustomersController, DownloadsController],
  providers: [
    { provide: CustomerService, inject: [CoreServices], useFactory: (core: CoreServices) => core.customers },
    {
      provide: DownloadLimiter,
      inject: [SERVER_SETTINGS, SharedRedis],
      useFactory: (settings: ServerSettings, redis: SharedRedis) =>
        new DownloadLimiter(
          { perCustomer: settings.maxDownloadsPerCustomer, total: settings.maxDownloads },
          redis,
        ),
    },
  ],
  exports: [DownloadLimiter],
})
export class CustomersModule {}
