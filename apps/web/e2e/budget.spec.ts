import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { CONSOLE_DIST } from './console.fixture';

/** The console's JavaScript, all of it, gzipped: at most 250 KB. */
const BUDGET_BYTES = 250 * 1024;

describe('the console bundle', () => {
  it('ships at most 250 KB of JavaScript, gzipped', () => {
    const assets = path.join(CONSOLE_DIST, 'assets');
    const scripts = fs.readdirSync(assets).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (total, name) => total + zlib.gzipSync(fs.readFileSync(path.join(assets, name)), { level: 9 }).length,
      0,
    );
    process.stdout.write(
      `console JavaScript: ${(gzipped / 1024).toFixed(1)} KB gzipped in ${scripts.length} file(s)\n`,
    );
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
