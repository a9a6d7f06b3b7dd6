import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CHROMIUM, describeWhen } from '@spotlight/testing';
import { freePort } from '../../server/src/__fixtures__/server-process';
import { checkPage, openBrowser, signIn, waitForText } from './console.fixture';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'apps', 'cli', 'bin', 'run.js');

/** The environment without what serve ignores: the demo database and outbox are the only ones it uses. */
const DEMO_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      ![
        'DATABASE_URL',
        'DATABASE_READ_URL',
        'SMTP_URL',
        'SPOTLIGHT_DATA_DIR',
        'SPOTLIGHT_OUTBOX_DIR',
      ].includes(name),
  ),
);

/** The README's way in: `npx pnpm@10.34.9 serve` runs this script once everything is built. */
const describeServe = describeWhen(CHROMIUM, describe);

/** Waits (at most `timeoutMs`) until `output()` matches, or the process ends. */
async function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output());
    if (match) return match;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`serve printed no ${String(pattern)} within ${timeoutMs} ms; it printed:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeServe('pnpm serve: the console on the demo data', () => {
  it('prints the URL and a staff token that signs in to the demo customers; Ctrl+C stops it', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
    // A real database or mail server in the environment must be ignored: serve is the demo's.
    env.DATABASE_URL = 'mysql://root@127.0.0.1:1/never';
    env.SMTP_URL = 'smtp://127.0.0.1:1';
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'serve.mjs')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let token: string | undefined;
    const { browser, page, problems } = await openBrowser(`http://127.0.0.1:${port}`);
    try {
      const [, token_] = await waitForOutput(
        child,
        () => output,
        /Sign in with this staff token[^\n]*\n\n {2}(\S+)\n/,
        90_000,
      );
      token = token_;
      expect(output).toContain(
        `The console is at http://127.0.0.1:${port}/ (the API's docs at http://127.0.0.1:${port}/docs), on the demo database.`,
      );

      await page.goto('/');
      await signIn(page, token);
      await waitForText(page.locator('tbody'), 'example.com');
      await checkPage(page, 'serve-customers');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'still running'>((resolve) => {
        timer = setTimeout(() => resolve('still running'), 10_000);
      });
      const ended = await Promise.race([exited, bound]);
      clearTimeout(timer);
      if (ended === 'still running') child.kill('SIGKILL');
      // The token printed for this test is not left working in the demo database.
      if (token) {
        const revoked = spawnSync(process.execPath, [CLI, 'token', 'revoke', token], {
          cwd: ROOT,
          env: DEMO_ENV,
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect(revoked.status).toBe(0);
      }
      expect(ended).not.toBe('still running');
    }
  });
});
