import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigurationError, CoreServices, explainDatabaseError, maskUrl } from '@spotlight/core';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from './database.tokens';
import { ProductSchemaRepository } from './product-schema.repository';

const POOL_CLOSE_MS = 2_000;

/** Checks the database at start (fail fast) and closes connections last on shutdown. */
@Injectable()
export class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly schema: ProductSchemaRepository,
    private readonly core: CoreServices,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    const target = maskUrl(this.settings.core.databaseUrl);
    let pending: string[];
    let hasRuns: boolean;
    try {
      await this.schema.assertQueueSupport(target);
      hasRuns = await this.schema.hasExportTables();
      // Every product migration: a server upgraded without "spotlight db migrate" stops here, not at its first export.
      pending = await this.schema.pendingMigrations();
    } catch (error) {
      throw explainDatabaseError(error, target);
    }
    if (!hasRuns) {
      throw new ConfigurationError(
        `The database at ${target} has no export tables; run "spotlight db migrate" first.`,
      );
    }
    if (pending.length > 0) {
      throw new ConfigurationError(
        `The database at ${target} has ${pending.length} export migration${pending.length === 1 ? '' : 's'} to run (${pending.join(', ')}); run "spotlight db migrate" first.`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // knex waits for every connection in use to come back, and an export
    // abandoned at shutdown may never give its own back: wait only so long.
    await this.core.close({ poolWaitMs: POOL_CLOSE_MS });
  }
}
