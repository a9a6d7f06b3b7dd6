import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import type { ServerSettings } from './config/server.settings';

/** Request bodies above this get a 413. */
export const MAX_JSON_BODY_BYTES = 100 * 1024;

/** Builds the whole app (not listening yet): the server and the end-to-end tests both start it this way. */
export async function createApp(
  settings: ServerSettings,
  options: { logger?: false | ('error' | 'warn' | 'log')[] } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(settings), {
    logger: options.logger ?? ['error', 'warn', 'log'],
    abortOnError: false,
    bodyParser: false,
  });
  // JSON only, and small: the biggest request (a schedule) is well under 1 kB.
  app.useBodyParser('json', { limit: MAX_JSON_BODY_BYTES });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Spotlight exports')
      .setDescription(
        'User activity exports: queue, download, schedule. Authenticate with "Authorization: Bearer <token>" from "spotlight token create".',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
