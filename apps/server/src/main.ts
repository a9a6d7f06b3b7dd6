import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { buildInfo, firstLine } from '@spotlight/core';
import { createApp } from './app.factory';
import { alertRouteWarning, describeSettings, loadServerSettings } from './config/server.settings';

async function main(): Promise<void> {
  const settings = loadServerSettings(process.env);
  const app = await createApp(settings);
  await app.listen(settings.port, settings.host);
  const url = await app.getUrl();
  const logger = new Logger('Server');
  const build = buildInfo();
  logger.log(
    `spotlight-exports ${build.version} (${build.commit}) listening on ${url} (docs at ${url}/docs), ${describeSettings(settings)}, instance ${settings.instanceId}`,
  );
  const warning = alertRouteWarning(settings);
  if (warning) logger.warn(warning);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`spotlight-server: ${firstLine(message)}\n`);
  if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
