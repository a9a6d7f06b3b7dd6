import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const UNIT = path.resolve(__dirname, '../../../deploy/spotlight-exports.service');

/** The unit's settings of one section, each key with all its values. */
function section(text: string, name: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) current = header[1];
    else if (current === name) {
      const [key, ...rest] = line.split('=');
      settings.set(key, [...(settings.get(key) ?? []), rest.join('=')]);
    }
  }
  return settings;
}

describe('deploy/spotlight-exports.service', () => {
  const text = fs.readFileSync(UNIT, 'utf8');
  const service = section(text, 'Service');

  it('runs the archive’s server as its own user, from a settings file, restarted on failure', () => {
    expect(service.get('ExecStart')).toEqual(['/opt/spotlight-exports/bin/spotlight-server']);
    expect(service.get('EnvironmentFile')).toEqual(['/etc/spotlight-exports/spotlight.env']);
    expect(service.get('User')).toEqual(['spotlight']);
    expect(service.get('Restart')).toEqual(['on-failure']);
    expect(service.get('ProtectSystem')).toEqual(['strict']);
    // The data folders stay writable under ProtectSystem=strict.
    expect(service.get('StateDirectory')).toEqual(['spotlight-exports']);
    expect(service.get('Environment')).toContain('SPOTLIGHT_DATA_DIR=/var/lib/spotlight-exports');
    expect(service.get('PrivateTmp')).toEqual(['yes']);
    // Longer than the default shutdown grace (30 s), so the export in flight can finish.
    expect(Number(service.get('TimeoutStopSec')?.[0])).toBeGreaterThan(30);
  });

  const verify = spawnSync('systemd-analyze', ['--version']).status === 0 ? it : it.skip;
  verify('passes systemd-analyze verify', () => {
    // verify checks that ExecStart exists: point it at a stand-in.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-unit-'));
    try {
      const server = path.join(dir, 'spotlight-server');
      fs.writeFileSync(server, '#!/bin/sh\n', { mode: 0o755 });
      const unit = path.join(dir, 'spotlight-exports.service');
      fs.writeFileSync(unit, text.replace('/opt/spotlight-exports/bin/spotlight-server', server));
      const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
      expect({ status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({
        status: 0,
        output: '',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
