import type { Server } from 'node:http';
import type { Knex } from 'knex';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  AuditRepository,
  ExportService,
  RunRepository,
  ScheduleControlService,
  ScheduleRepository,
  TokenRepository,
  TokenService,
} from '@spotlight/core';
import type { TestDatabase } from '@spotlight/core/testing';
import { createApp } from '../app.factory';
import { loadServerSettings, type ServerSettings } from '../config/server.settings';
import { PRIMARY_DB } from '../database/database.tokens';

export interface TestApp {
  app: NestExpressApplication;
  http: Server;
  settings: ServerSettings;
  /** The knex the app writes with (and reads with: tests use no replica unless they say so). */
  knex: Knex;
  close(): Promise<void>;
}

/**
 * The real app on a test database, not listening (supertest binds it). The
 * background loops are off unless `env` turns them on, so a test drives the
 * worker and the scheduler by calling their job methods.
 */
export async function startTestApp(
  db: TestDatabase,
  smtp: { url: string } | null,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const settings = loadServerSettings({
    DATABASE_URL: db.url,
    SMTP_URL: smtp?.url,
    SPOTLIGHT_BACKGROUND: 'off',
    SPOTLIGHT_INSTANCE_ID: 'test-instance',
    // Suites make far more requests a minute than an admin script; rate-limit.e2e-spec.ts sets the defaults back.
    SPOTLIGHT_RATE_LIMIT_PER_TOKEN: '1000000',
    SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '1000000',
    ...env,
  });
  const app = await createApp(settings, { logger: false });
  await app.init();
  return {
    app,
    http: app.getHttpServer() as Server,
    settings,
    knex: app.get<Knex>(PRIMARY_DB),
    close: () => app.close(),
  };
}

/** A new token as `spotlight token create` makes it; returns the secret. */
export async function createToken(
  db: TestDatabase,
  scope: { staff: true } | { site: string },
): Promise<string> {
  const service = new TokenService(new TokenRepository(db.knex));
  return (await service.create(scope)).token;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Core's ScheduleControlService on this app's database and export service: what `spotlight schedules ...` does. */
export function cliSchedules(t: TestApp): ScheduleControlService {
  return new ScheduleControlService(
    new ScheduleRepository(t.knex),
    new RunRepository(t.knex),
    t.app.get(ExportService),
    new AuditRepository(t.knex),
  );
}
