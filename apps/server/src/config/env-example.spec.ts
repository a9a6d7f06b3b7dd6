import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENV_EXAMPLE_COMMAND, loadCoreSettings, readEnvironment } from '@spotlight/core';
import { envExample } from './env-example';
import { loadServerSettings, serverSettingsSchema } from './server.settings';

const ENV_EXAMPLE = path.resolve(__dirname, '../../../../.env.example');

describe('.env.example', () => {
  it('is what the settings schemas generate', () => {
    const committed = fs.existsSync(ENV_EXAMPLE) ? fs.readFileSync(ENV_EXAMPLE, 'utf8') : '';
    if (committed !== envExample())
      throw new Error(`.env.example is stale: run ${ENV_EXAMPLE_COMMAND} and commit the result`);
  });

  it('lists every server setting once, with a meaning, and its defaults are the defaults', () => {
    const text = envExample();
    for (const name of Object.keys(serverSettingsSchema.shape)) {
      const lines = text.split('\n');
      const at = lines.findIndex((line) => line.startsWith(`#${name}=`));
      expect([name, at]).not.toEqual([name, -1]);
      expect(lines[at - 1]).toMatch(/^# \S.*\.$/);
    }
    // The file as generated, uncommented, configures exactly the defaults.
    const uncommented = text.replace(/^#(?=[A-Z_]+=)/gm, '');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-example-'));
    fs.writeFileSync(path.join(dir, '.env'), uncommented);
    const { env } = readEnvironment({}, dir);
    const fromFile = loadServerSettings(env);
    const defaults = loadServerSettings({});
    expect({ ...fromFile, instanceId: '' }).toEqual({ ...defaults, instanceId: '' });
    expect(loadCoreSettings(env)).toEqual(loadCoreSettings({}));
    fs.rmSync(dir, { recursive: true });
  });
});
