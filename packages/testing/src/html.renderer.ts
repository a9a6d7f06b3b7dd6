import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Requirement } from './requirement';

const CHROMIUM_CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

function findChromium(): string | null {
  for (const name of CHROMIUM_CANDIDATES) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
    } catch {
      // Try the next name.
    }
  }
  return null;
}

/** Whether a headless Chromium can be run here (Debian: chromium). */
export function chromiumAvailable(): boolean {
  return findChromium() !== null;
}

/** Chromium, for what renders a page; CI requires it with SPOTLIGHT_REQUIRE_CHROMIUM=1. */
export const CHROMIUM: Requirement = {
  missing: 'Chromium is not installed (Debian: chromium)',
  requireEnv: 'SPOTLIGHT_REQUIRE_CHROMIUM',
  available: chromiumAvailable,
};

/**
 * Where tests keep files for a person to look at (screenshots): the folder
 * in SPOTLIGHT_TEST_REPORT_DIR, or the repository's .test-results/.
 */
export function testReportDir(): string {
  const dir =
    process.env.SPOTLIGHT_TEST_REPORT_DIR ?? path.resolve(__dirname, '..', '..', '..', '.test-results');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const MARKER = 'spotlight-visible-text';

/**
 * Renders `html` in headless Chromium and returns the text a person sees
 * (the body's innerText: hidden elements and markup left out, entities
 * decoded). With `screenshot`, also saves a PNG of the page there.
 */
export function renderHtml(html: string, options: { screenshot?: string } = {}): string {
  const chromium = findChromium();
  if (!chromium) throw new Error('Chromium is not installed (Debian: apt-get install -y chromium)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-render-'));
  try {
    const page = path.join(dir, 'page.html');
    fs.writeFileSync(page, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      `--user-data-dir=${path.join(dir, 'profile')}`,
    ];
    if (options.screenshot) {
      fs.mkdirSync(path.dirname(options.screenshot), { recursive: true });
      execFileSync(
        chromium,
        [...args, `--screenshot=${options.screenshot}`, '--window-size=900,1000', `file://${page}`],
        {
          stdio: 'ignore',
          timeout: 60_000,
        },
      );
    }
    // The page itself reports what it shows; JSON keeps every character intact.
    const probe = path.join(dir, 'probe.html');
    fs.writeFileSync(
      probe,
      `${html}<script>document.title = ''; const t = document.body.innerText; const p = document.createElement('pre'); p.id = '${MARKER}'; p.textContent = JSON.stringify(t); document.documentElement.appendChild(p);</script>`,
    );
    const dom = execFileSync(chromium, [...args, '--dump-dom', `file://${probe}`], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const match = new RegExp(`<pre id="${MARKER}">([\\s\\S]*?)</pre>`).exec(dom);
    if (!match) throw new Error('Chromium did not report the page text');
    const json = match[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    return JSON.parse(json) as string;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
