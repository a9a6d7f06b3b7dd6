import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeEachDatabase } from '@spotlight/core/testing';
import { runServer, startServer } from '../__fixtures__/server-process';

/** A fresh working folder holding these files. */
function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-env-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('the server settings file', () => {
  it('fails on a bad value in ./.env with one line naming the variable and the file', async () => {
    const dir = folderWith({ '.env': '# ops\nSPOTLIGHT_HISTORY_DAYS=forever\n' });
    try {
      const { code, stderr } = await runServer({ SPOTLIGHT_DATA_DIR: os.tmpdir() }, 20_000, { cwd: dir });
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(
        /^spotlight-server: Invalid configuration: SPOTLIGHT_HISTORY_DAYS .*\(settings from the environment and .*\/\.env\)$/m,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails in one line when SPOTLIGHT_ENV_FILE names a file that does not exist', async () => {
    const dir = folderWith({});
    try {
      const missing = path.join(dir, 'spotlight.env');
      const { code, stderr } = await runServer({ SPOTLIGHT_ENV_FILE: missing }, 20_000, { cwd: dir });
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(
        new RegExp(
          `^spotlight-server: Invalid configuration: SPOTLIGHT_ENV_FILE names ${missing}, which cannot be read \\(ENOENT`,
        ),
      );
      expect(stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeEachDatabase('the server settings file', (db) => {
  it('reads ./.env from its working folder, and the environment wins over the file', async () => {
    // PORT in the file is wrong on purpose: the fixture's PORT, in the environment, must win.
    const dir = folderWith({
      '.env': `DATABASE_URL=${db.url}\nSPOTLIGHT_INSTANCE_ID="from-the-file"\nPORT=1\nSPOTLIGHT_BACKGROUND=off\n`,
    });
    const server = await startServer({}, { cwd: dir });
    try {
      const live = (await (await fetch(`${server.url}/health/live`)).json()) as { instance: string };
      expect(live.instance).toBe('from-the-file');
    } finally {
      await server.stop();
    }
    const overridden = await startServer({ SPOTLIGHT_INSTANCE_ID: 'from-the-environment' }, { cwd: dir });
    try {
      const live = (await (await fetch(`${overridden.url}/health/live`)).json()) as { instance: string };
      expect(live.instance).toBe('from-the-environment');
    } finally {
      await overridden.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the file SPOTLIGHT_ENV_FILE names instead of ./.env', async () => {
    const dir = folderWith({
      '.env': 'SPOTLIGHT_HISTORY_DAYS=forever\n',
      'prod.env': `DATABASE_URL=${db.url}\nSPOTLIGHT_INSTANCE_ID=named-file\nSPOTLIGHT_BACKGROUND=off\n`,
    });
    const server = await startServer({ SPOTLIGHT_ENV_FILE: 'prod.env' }, { cwd: dir });
    try {
      const live = (await (await fetch(`${server.url}/health/live`)).json()) as { instance: string };
      expect(live.instance).toBe('named-file');
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
