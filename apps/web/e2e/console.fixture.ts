import fs from 'node:fs';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { TokenRepository, TokenService } from '@spotlight/core';
import { describeEachDatabase, type TestDatabase } from '@spotlight/core/testing';
import {
  CHROMIUM,
  describeWhen,
  SmtpCapture,
  testReportDir,
  type SmtpCaptureOptions,
} from '@spotlight/testing';
import { startServer, type ServerProcess } from '../../server/src/__fixtures__/server-process';

export const CONSOLE_DIST = path.resolve(__dirname, '..', 'dist');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * describeEachDatabase for a browser suite: Debian's Chromium drives them, no
 * browser is downloaded. Skipped without it, unless SPOTLIGHT_REQUIRE_CHROMIUM=1 (CI).
 */
export const describeBrowser = describeWhen(CHROMIUM, describeEachDatabase);

export function chromiumPath(): string {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('Chromium is not installed (Debian: apt-get install -y chromium)');
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
}

/** A browser on the console's server: one context, one watched page (see {@link watchedPage}). */
export async function openBrowser(
  baseURL: string,
  options: Pick<BrowserContextOptions, 'acceptDownloads' | 'locale' | 'viewport'> = {},
): Promise<{ browser: Browser; context: BrowserContext; page: Page; problems: string[] }> {
  const browser = await launchBrowser();
  const context = await browser.newContext({ baseURL, ...options });
  return { browser, context, ...(await watchedPage(context)) };
}

/** A request to the API with a token, its JSON body (null for a 204). */
export function apiAs(url: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>),
    };
  };
}

export interface ConsoleServer {
  server: ServerProcess;
  smtp: SmtpCapture;
  stop(): Promise<void>;
}

/** The built server, with its worker on, on this database, mailing into an SmtpCapture (with `smtpOptions`' faults). */
export async function startConsoleServer(
  db: TestDatabase,
  env: Record<string, string> = {},
  smtpOptions: SmtpCaptureOptions = {},
): Promise<ConsoleServer> {
  if (!fs.existsSync(path.join(CONSOLE_DIST, 'index.html'))) {
    throw new Error(`${CONSOLE_DIST} is missing; build first: npx pnpm@10.34.9 build`);
  }
  const smtp = await SmtpCapture.start(smtpOptions);
  const server = await startServer({
    DATABASE_URL: db.url,
    SMTP_URL: smtp.url,
    SPOTLIGHT_WORKER_POLL_MS: '100',
    SPOTLIGHT_SCHEDULER_TICK_MS: '60000',
    SPOTLIGHT_RATE_LIMIT_PER_TOKEN: '1000000',
    SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '1000000',
    SPOTLIGHT_LOG_LEVEL: 'warn',
    SPOTLIGHT_INSTANCE_ID: 'console-test',
    ...env,
  });
  return {
    server,
    smtp,
    async stop() {
      await server.stop();
      await smtp.stop();
    },
  };
}

/** What a browser suite's server and page are made with; see {@link consoleSuite}. */
export interface ConsoleSuiteOptions {
  /** The server's environment, over {@link startConsoleServer}'s. */
  env?: Record<string, string>;
  /** The SMTP capture's faults. */
  smtp?: SmtpCaptureOptions;
  browser?: Pick<BrowserContextOptions, 'acceptDownloads' | 'locale' | 'viewport'>;
  /** The token {@link ConsoleSuite.api} sends. */
  token?: string;
  /** Opens '/' and signs in with this token before the first test. */
  signIn?: string;
}

/** What a browser suite's tests use, there from the suite's first beforeAll on. */
export interface ConsoleSuite {
  readonly url: string;
  readonly smtp: SmtpCapture;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** The suite's page's problems (see {@link watchedPage}), checked after each test. */
  readonly problems: string[];
  /** A request to the API with the suite's token. */
  api(method: string, path: string, body?: unknown): ReturnType<ReturnType<typeof apiAs>>;
}

/**
 * A browser suite's lifecycle, called once at the top of its describe body:
 * a beforeAll that runs `setup` (the suite's seeding, giving the options that
 * may name what it made), starts the server and opens the page; an afterAll
 * that closes both; an afterEach that fails a test whose page had a problem.
 * A beforeAll the suite registers after this call runs with all of it up.
 */
export function consoleSuite(db: TestDatabase, setup: () => Promise<ConsoleSuiteOptions>): ConsoleSuite {
  let token: string | undefined;
  let server: ConsoleServer | undefined;
  let opened: Awaited<ReturnType<typeof openBrowser>> | undefined;

  beforeAll(async () => {
    const options = await setup();
    token = options.token;
    server = await startConsoleServer(db, options.env, options.smtp);
    opened = await openBrowser(server.server.url, options.browser);
    if (options.signIn !== undefined) {
      await opened.page.goto('/');
      await signIn(opened.page, options.signIn);
    }
  });

  afterAll(async () => {
    await opened?.browser.close();
    await server?.stop();
  });

  afterEach(() => {
    // No dialog opened (a name run as HTML would have called alert), no CSP refusal, no page error.
    expect(suite.problems).toEqual([]);
  });

  const up = () => {
    if (!server || !opened)
      throw new Error("The console suite's beforeAll has not started the server and page");
    return { server, ...opened };
  };
  const suite: ConsoleSuite = {
    get url() {
      return up().server.server.url;
    },
    get smtp() {
      return up().server.smtp;
    },
    get browser() {
      return up().browser;
    },
    get context() {
      return up().context;
    },
    get page() {
      return up().page;
    },
    get problems() {
      return up().problems;
    },
    api(method, path, body) {
      if (token === undefined) throw new Error("The console suite's setup gave no token for its api");
      return apiAs(suite.url, token)(method, path, body);
    },
  };
  return suite;
}

export async function createToken(db: TestDatabase, scope: { staff: true } | { site: string }) {
  return new TokenService(new TokenRepository(db.knex)).create(scope);
}

export async function revokeToken(db: TestDatabase, id: number): Promise<void> {
  await new TokenService(new TokenRepository(db.knex)).revoke(String(id));
}

/**
 * A page that fails the test on anything a person should never see: a
 * dialog (a script injected through a name would open one), an uncaught
 * error, or a resource the Content-Security-Policy blocked.
 */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  return { page, problems };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 10_000 });
}

/** Waits (at most `timeoutMs`) until the locator's text matches. */
export async function waitForText(
  locator: Locator,
  expected: RegExp | string,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = (await locator.first().innerText({ timeout: 1_000 })).trim();
      if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `"${last}" did not come to match ${String(expected)} within ${timeoutMs} ms; ${await whatThePageShows(locator.page())}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Where the page is and the start of what it shows, for a wait's failure message. */
async function whatThePageShows(page: Page): Promise<string> {
  const shown = await page
    .locator('body')
    .innerText({ timeout: 1_000 })
    .catch((error: unknown) => `(unreadable: ${String(error).split('\n')[0]})`);
  return `the page at ${page.url()} shows "${shown.replace(/\s+/g, ' ').slice(0, 300)}"`;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/**
 * The serious and critical WCAG 2 A/AA violations axe-core finds on the page
 * as it is. axe is evaluated through the DevTools protocol, so the page's
 * CSP (no inline script) stays on while it runs.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Saves a full-page screenshot under the test report folder, console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(testReportDir(), 'console', `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Every page's check: no serious or critical axe finding, and a screenshot kept. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await axeViolations(page)).toEqual([]);
}
