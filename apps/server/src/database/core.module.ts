import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import {
  CoreServices,
  DownloadService,
  ExportService,
  RunRepository,
  TokenService,
  createCoreServices,
} from '@spotlight/core';
import { poolSizeFor, type ServerSettings } from '../config/server.settings';
import { DatabaseLifecycle } from './database.lifecycle';
import { ALERT_MAIL, MAIL, PRIMARY_DB, READ_DB, SERVER_SETTINGS } from './database.tokens';
import { ProductSchemaRepository } from './product-schema.repository';

/**
 * The settings, the databases and core's services, built once by core's
 * composition root and shared with every feature module.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(settings: ServerSettings): DynamicModule {
    // knex prints pool errors ("Acquire connection error") on stdout; they belong in the log.
    const databaseLog = new Logger('Database');
    const core = createCoreServices(settings.core, {
      // Exports read from the replica; locks, links and runs are written to the primary.
      readDatabaseUrl: settings.readDatabaseUrl,
      pool: { max: poolSizeFor(settings) },
      smtpPool: { maxConnections: settings.smtpMaxConnections },
      alertSmtpUrl: settings.alerts.smtpUrl,
      databaseLog: {
        warn: (message: unknown) => databaseLog.warn(String(message)),
        error: (message: unknown) => databaseLog.error(String(message)),
        deprecate: (message: unknown) => databaseLog.warn(String(message)),
        debug: (message: unknown) => databaseLog.debug(String(message)),
      },
    });
    // Opened at start: it removes the scratch of CLI and server processes killed mid-export.
    core.openScratch();
    core.checkDataFolders();
    const shared = [
      SERVER_SETTINGS,
      CoreServices,
      PRIMARY_DB,
      READ_DB,
      MAIL,
      ALERT_MAIL,
      TokenService,
      RunRepository,
      DownloadService,
      ExportService,
    ];
    return {
      module: CoreModule,
      providers: [
        { provide: SERVER_SETTINGS, useValue: settings },
        { provide: CoreServices, useValue: core },
        { provide: PRIMARY_DB, useFactory: () => core.db },
        { provide: READ_DB, useFactory: () => core.readDb },
        { provide: MAIL, useFactory: () => core.mail },
        { provide: ALERT_MAIL, useFactory: () => core.alertMail },
        { provide: TokenService, useFactory: () => core.tokens },
        { provide: RunRepository, useFactory: () => core.runs },
        { provide: DownloadService, useFactory: () => core.downloads },
        { provide: ExportService, useFactory: () => core.exports },
        { provide: ProductSchemaRepository, useFactory: () => new ProductSchemaRepository(core.db) },
        DatabaseLifecycle,
      ],
      exports: shared,
    };
  }
}
