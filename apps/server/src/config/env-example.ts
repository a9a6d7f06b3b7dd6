import { coreSettingsSchema, renderEnvExample } from '@spotlight/core';
import { serverSettingsSchema } from './server.settings';

/** The text of the repository's `.env.example`: the CLI's settings, then the server's own. */
export function envExample(): string {
  return renderEnvExample([
    { title: 'CLI and server', schema: coreSettingsSchema },
    { title: 'Server only', schema: serverSettingsSchema },
  ]);
}
