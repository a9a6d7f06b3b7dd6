import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Knex } from 'knex';
import {
  ConfigurationError,
  RUN_TABLE,
  assertQueueSupport,
  explainDatabaseError,
  maskUrl,
  pendingProductMigrations,
  type MailRepository,
} from '@spotlight/core';
import type { ServerSettings } from '../config/server.settings';
import { MAIL, PRIMARY_DB, READ_DB, SERVER_SETTINGS } from './database.tokens';

const POOL_CLOSE_MS = 2_000;

/** Checks the database at start (fail fast) and closes connections last on shutdown. */
@Injectable()
export class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PRIMARY_DB) private readonly primary: Knex,
    @Inject(READ_DB) private readonly replica: Knex,
    @Inject(MAIL) private readonly mail: MailRepository,
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
    this.mail.close();
    // knex waits for every connection in use to come back, and an export
    // abandoned at shutdown may never give its own back: wait only so long.
    const pools = this.replica !== this.primary ? [this.replica, this.primary] : [this.primary];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(pools.map((pool) => pool.destroy())),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, POOL_CLOSE_MS).unref())),
    ]);
    clearTimeout(timer);
  }
}
