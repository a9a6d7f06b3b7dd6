import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { buildInfo, firstLine, loadWithEnvFile, parseDatabaseUrl, readEnvironment } from '@spotlight/core';
import { createApp } from './app.factory';
import {
  alertRouteWarning,
  describeSettings,
  loadServerSettings,
  unsubscribeLinkWarning,
} from './config/server.settings';

async function main(): Promise<void> {
  const settings = loadWithEnvFile(readEnvironment(process.env), loadServerSettings);
  const app = await createApp(settings);
  await app.listen(settings.port, settings.host);
  const url = await app.getUrl();
  const logger = new Logger('Server');
  const { version, commit } = buildInfo();
  logger.log({
    msg: `spotlight-exports ${version} (${commit}) listening on ${url} (docs at ${url}/docs), ${describeSettings(settings)}, instance ${settings.instanceId}`,
    version,
    commit,
    node: process.version,
    database: parseDatabaseUrl(settings.core.databaseUrl).dialect,
  });
  const warning = alertRouteWarning(settings);
  if (warning) logger.warn(warning);
  const noLinks = unsubscribeLinkWarning(settings);
  if (noLinks) logger.warn(noLinks);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`spotlight-server: ${firstLine(message)}\n`);
  if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
