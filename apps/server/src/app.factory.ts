import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { DEFAULT_CONSOLE_DIR, securityHeaders, serveConsole } from './console/console.static';
import type { ServerSettings } from './config/server.settings';
import { loggingModule } from './logging/logging.module';

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
  app.use(securityHeaders());
  serveConsole(app, settings.consoleDir ?? DEFAULT_CONSOLE_DIR);
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Spotlight exports')
      // Markdown: in backticks, so Swagger UI does not swallow <token> as an HTML tag.
      .setDescription(
        'User activity exports: queue, download, schedule. Authenticate with `Authorization: Bearer <token>`, a token from `spotlight token create`. Errors are JSON `{statusCode, error, message}`; request bodies are JSON of at most 100 KiB.',
      )
      .setVersion('0.1.0')
      // Not addBearerAuth(): it declares bearerFormat JWT, and these tokens are opaque.
      .addSecurity('bearer', {
        type: 'http',
        scheme: 'bearer',
        description:
          'An opaque API token (spx_...) from `spotlight token create`; only its SHA-256 is stored.',
      })
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
