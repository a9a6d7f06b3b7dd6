import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { DEFAULT_CONSOLE_DIR, securityHeaders, serveConsole } from './console/console.static';
import type { ServerSettings } from './config/server.settings';
import { loggingModule } from './logging/logging.module';
import { ExportMetrics } from './metrics/export-metrics';
import { httpDurationMiddleware } from './metrics/http-duration.middleware';
import { buildOpenApiDocument } from './openapi/openapi.document';

/** Request bodies above this get a 413. */
export const MAX_JSON_BODY_BYTES = 100 * 1024;

/** The app and, around it, how it logs. */
@Module({})
class ServerModule {}

/**
 * Builds the whole app (not listening yet): the server and the end-to-end
 * tests both start it this way. It logs JSON lines on stdout at
 * `settings.logLevel`; `logger: false` silences it.
 */
export async function createApp(
  settings: ServerSettings,
  options: { logger?: false } = {},
): Promise<NestExpressApplication> {
  const level = options.logger === false ? 'silent' : settings.logLevel;
  const app = await NestFactory.create<NestExpressApplication>(
    { module: ServerModule, imports: [loggingModule(level), AppModule.forRoot(settings)] },
    // Held until the JSON logger is in place, so that even Nest's first lines are JSON.
    { bufferLogs: true, abortOnError: false, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  // JSON only, and small: the biggest request (a schedule) is well under 1 kB.
  app.useBodyParser('json', { limit: MAX_JSON_BODY_BYTES });
  app.disable('x-powered-by');
  // Whom per-address limits and logs see as the client: the TCP peer, unless proxies are trusted.
  app.set('trust proxy', settings.trustProxy);
  app.use(httpDurationMiddleware(app.get(ExportMetrics)));
  app.use(securityHeaders());
  serveConsole(app, settings.consoleDir ?? DEFAULT_CONSOLE_DIR);
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document);
  return app;
}
