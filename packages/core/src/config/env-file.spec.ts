import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../errors';
import { loadWithEnvFile, readEnvironment } from './env-file';
import { loadCoreSettings } from './settings';

describe('readEnvironment', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-env-file-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lays the environment over ./.env, and leaves the environment object as it was', () => {
    fs.writeFileSync(
      path.join(dir, '.env'),
      '# comment\nMAIL_FROM="Exports <exports@example.com>"\nSMTP_URL=smtp://file:25\n\nSPOTLIGHT_LINK_TTL_DAYS=3\n',
    );
    const processEnv = { SMTP_URL: 'smtp://environment:25' };
    const { env, file } = readEnvironment(processEnv, dir);
    expect(file).toBe(path.join(dir, '.env'));
    expect(env).toMatchObject({
      MAIL_FROM: 'Exports <exports@example.com>',
      SMTP_URL: 'smtp://environment:25',
      SPOTLIGHT_LINK_TTL_DAYS: '3',
    });
    expect(processEnv).toEqual({ SMTP_URL: 'smtp://environment:25' });
  });

  it('is the environment alone without ./.env', () => {
    expect(readEnvironment({ A: 'b' }, dir)).toEqual({ env: { A: 'b' }, file: null });
  });

  it('refuses in one line a SPOTLIGHT_ENV_FILE that cannot be read, and a ./.env that is a folder', () => {
    const missing = path.join(dir, 'missing.env');
    expect(() => readEnvironment({ SPOTLIGHT_ENV_FILE: missing }, dir)).toThrow(
      new RegExp(
        `^Invalid configuration: SPOTLIGHT_ENV_FILE names ${missing}, which cannot be read \\(ENOENT`,
      ),
    );
    fs.mkdirSync(path.join(dir, '.env'));
    expect(() => readEnvironment({}, dir)).toThrow(ConfigurationError);
  });

  it('names the file in the error of a bad value that may come from it', () => {
    fs.writeFileSync(path.join(dir, '.env'), 'SPOTLIGHT_LINK_TTL_DAYS=forever\n');
    expect(() => loadWithEnvFile(readEnvironment({}, dir), loadCoreSettings)).toThrow(
      `(settings from the environment and ${path.join(dir, '.env')})`,
    );
    expect(() => loadWithEnvFile(readEnvironment({}, dir), loadCoreSettings)).toThrow(
      /^Invalid configuration: SPOTLIGHT_LINK_TTL_DAYS /,
    );
  });
});
