import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Knex } from 'knex';
import {
  ConfigurationError,
  CoreServices,
  RUN_TABLE,
  assertQueueSupport,
  explainDatabaseError,
  maskUrl,
  pendingProductMigrations,
} from '@spotlight/core';
import type { ServerSettings } from '../config/server.settings';
import { PRIMARY_DB, SERVER_SETTINGS } from './database.tokens';

const POOL_CLOSE_MS = 2_000;

/** Checks the database at start (fail fast) and closes connections last on shutdown. */
@Injectable()
export class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PRIMARY_DB) private readonly primary: Knex,
    private readonly core: CoreServices,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    const target = maskUrl(this.settings.core.databaseUrl);
    let pending: string[];
    let hasRuns: boolean;
    try {
      await assertQueueSupport(this.primary, target);
      hasRuns = await this.primary.schema.hasTable(RUN_TABLE);
      // Every product migration: a server upgraded without "spotlight db migrate" stops here, not at its first export.
      pending = await pendingProductMigrations(this.primary);
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
