import { createCoreServices, type CoreServices, type CoreSettings } from '@spotlight/core';

/** What commands work with: core's services, made on first use and closed when the command ends. */
export type Services = CoreServices;

/** Core's services as the CLI wants them: flags named in messages, knex's warnings kept off stdout. */
export function openServices(
  settings: CoreSettings,
  options: { debug?: boolean; createSqliteFile?: boolean } = {},
): Services {
  // knex prints pool warnings such as "Acquire connection error: <stack>" on
  // stdout, which would break --json and the one-line error. The failure
  // itself reaches the user through the command; the warning goes to stderr,
  // and only with DEBUG.
  const debug = options.debug ?? false;
  const toStderr = (message: unknown) => {
    if (debug) process.stderr.write(`knex: ${String(message)}\n`);
  };
  return createCoreServices(settings, {
    databaseLog: { warn: toStderr, error: toStderr, deprecate: toStderr, debug: toStderr },
    rangeNames: { since: '--since', until: '--until', timeZone: '--time-zone' },
    createSqliteFile: options.createSqliteFile ?? false,
  });
}
