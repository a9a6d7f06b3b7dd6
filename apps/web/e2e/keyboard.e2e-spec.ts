import type { Browser, Page } from 'playwright-core';
import type { SiteRow, UserRow } from '@spotlight/core/testing';
import {
  apiAs,
  checkPage,
  createToken,
  describeBrowser,
  openBrowser,
  startConsoleServer,
  waitForText,
  type ConsoleServer,
} from './console.fixture';

/**
 * The console by keyboard alone: every control is reached with Tab and used
 * with Enter, Space, arrows and typing; whatever takes focus shows it, and a
 * page reached by a link says so (its heading takes focus, the tab's title names it).
 */
describeBrowser('the console by keyboard alone', (db) => {
  let console_: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let site: SiteRow;
  let mona: UserRow;
  let zed: UserRow;
  let staff: string;
  let url: string;

  beforeAll(async () => {
    site = await db.factory.site({ name: 'Keyboard Learning' });
    mona = await db.factory.manager({ site, first_name: 'Mona', last_name: 'Manager' });
    zed = await db.factory.manager({ site, first_name: 'Zed', last_name: 'Manager' });
    staff = (await createToken(db, { staff: true })).token;
    console_ = await startConsoleServer(db);
    url = console_.server.url;
    // en-US: a date field takes its parts as month, day, year.
    ({ browser, page, problems } = await openBrowser(url, { locale: 'en-US' }));
  });

  afterAll(async () => {
    await browser?.close();
    await console_?.stop();
  });

  afterEach(() => {
    expect(problems).toEqual([]);
  });

  const api = (method: string, path: string, body?: unknown) => apiAs(url, staff)(method, path, body);

  it('signs in: the Token field has focus, Tab goes on to "Sign in", Enter signs in', async () => {
    await page.goto('/');
    await expectFocus(page, { tag: 'INPUT', name: 'Token' });
    expect(await page.title()).toBe('Sign in · Spotlight exports');
    await checkPage(page, `${db.dialect}-keyboard-sign-in`);

    // A refused token: the reason shows and focus stays on the button pressed.
    await page.keyboard.type('spx_not_a_token');
    await tabTo(page, 'Sign in');
    await page.keyboard.press('Enter');
    await waitForText(page.getByRole('alert'), /\S/);
    await expectFocus(page, { tag: 'BUTTON', name: 'Sign in' });

    await tabTo(page, 'Token', { backwards: true });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(staff);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 10_000 });
  });

  it('the first Tab after signing in reaches "Skip to content"; Enter on it moves focus into main', async () => {
    await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor({ timeout: 10_000 });
    expect(await page.title()).toBe('Customers · Spotlight exports');
    // Signing in replaces the whole page, as a load does: focus starts from the top, where the skip link is.
    expect((await focusOf(page)).tag).toBe('BODY');
    await page.keyboard.press('Tab');
    await expectFocus(page, { tag: 'A', name: 'Skip to content' });
    await page.keyboard.press('Enter');
    await expectFocus(page, { tag: 'MAIN', name: 'main' });
  });

  it('a section taken by Enter in the nav gets focus on its heading and its name in the title', async () => {
    await tabTo(page, 'Schedules', { backwards: true });
    await page.keyboard.press('Enter');
    await expectFocus(page, { tag: 'H1', name: 'Schedules' });
    expect(await page.title()).toBe('Schedules · Spotlight exports');
    expect(new URL(page.url()).pathname).toBe('/console/schedules');
    await checkPage(page, `${db.dialect}-keyboard-schedules`);

    await tabTo(page, 'Customers', { backwards: true });
    await page.keyboard.press('Enter');
    await expectFocus(page, { tag: 'H1', name: 'Customers' });
    expect(await page.title()).toBe('Customers · Spotlight exports');
  });

  it("Export now by keyboard on the customer's page: the chosen manager gets exactly one email", async () => {
    await waitForText(page.getByRole('link', { name: site.domain }), site.domain);
    await checkPage(page, `${db.dialect}-keyboard-customers`);
    await tabTo(page, site.domain);
    await page.keyboard.press('Enter');
    const title = `Keyboard Learning (${site.domain})`;
    await expectFocus(page, { tag: 'H1', name: /^(Keyboard Learning \()?site-.*\.example\.com\)?$/ });
    await waitFor(
      async () => (await page.title()) === `${title} · Spotlight exports`,
      'the title names the customer',
    );
    const form = page.getByRole('form', { name: 'Export now' });
    await form.getByLabel('Recipient').waitFor({ timeout: 10_000 });
    console_.smtp.messages.length = 0;

    await tabTo(page, 'Recipient');
    // The first manager is chosen to begin with; the other one is chosen by arrows.
    expect(await form.getByLabel('Recipient').inputValue()).toBe(mona.email);
    await chooseByArrows(page, zed.email);
    await tabTo(page, 'Since');
    await page.keyboard.type('01012026');
    expect(await form.getByLabel('Since').inputValue()).toBe('2026-01-01');
    await tabTo(page, 'Until');
    await page.keyboard.type('06302026');
    expect(await form.getByLabel('Until').inputValue()).toBe('2026-06-30');
    await tabTo(page, 'Time zone');
    await page.keyboard.type('Europe/Paris');
    expect(await form.getByLabel('Time zone').inputValue()).toBe('Europe/Paris');
    await tabTo(page, 'Send export');
    await page.keyboard.press('Space');

    const followed = page.getByRole('region', { name: /^Export #\d+$/ });
    await waitForText(followed, /Status\s+sent/, 30_000);
    await expectFocus(page, { tag: 'BUTTON', name: 'Send export' });
    const [mail] = await console_.smtp.waitFor(1);
    expect(mail.envelope.to).toEqual([zed.email]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(console_.smtp.messages).toHaveLength(1);
    await checkPage(page, `${db.dialect}-keyboard-customer`);
  });

  it('New schedule by keyboard, then Pause, Resume and Delete of it, focus kept where the work goes on', async () => {
    await tabTo(page, 'Schedules', { backwards: true });
    await page.keyboard.press('Enter');
    await expectFocus(page, { tag: 'H1', name: 'Schedules' });

    await tabTo(page, 'New schedule');
    await page.keyboard.press('Space');
    const form = page.getByRole('form', { name: 'New schedule' });
    await form.waitFor({ timeout: 5_000 });
    await expectFocus(page, { tag: 'BUTTON', name: 'New schedule' });
    expect(await page.getByRole('button', { name: 'New schedule' }).getAttribute('aria-expanded')).toBe(
      'true',
    );

    await tabTo(page, 'Customer');
    await page.keyboard.type(site.domain);
    await waitForText(form.getByLabel('Recipient'), zed.email);
    await tabTo(page, 'Recipient');
    await chooseByArrows(page, zed.email);
    await tabTo(page, 'Cron');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('0 6 * * 2');
    await tabTo(page, 'Time zone');
    await page.keyboard.type('Europe/Paris');
    expect(await form.getByLabel('Time zone').inputValue()).toBe('Europe/Paris');
    await tabTo(page, 'Window (days)');
    await page.keyboard.type('7');
    await waitForText(form.getByRole('region', { name: 'Schedule preview' }), /06:00 CE/);
    await checkPage(page, `${db.dialect}-keyboard-new-schedule`);
    await tabTo(page, 'Create schedule');
    await page.keyboard.press('Enter');

    const notice = await waitForText(page.getByRole('status').first(), /Schedule #\d+ created/);
    const id = Number(/#(\d+)/.exec(notice)![1]);
    expect((await api('GET', `/schedules/${id}`)).body).toMatchObject({
      customer: site.domain,
      recipient: zed.email,
      cron: '0 6 * * 2',
      timeZone: 'Europe/Paris',
      windowDays: 7,
    });
    // The form is gone: focus goes to the new schedule's card, where its actions are.
    await expectFocus(page, { tag: 'H2', name: `Schedule #${id}` });
    const card = page.getByRole('article', { name: `Schedule #${id}` });
    const nextDue = card.getByLabel('Next due');
    await waitForText(nextDue, /06:00 CE/);

    await tabTo(page, 'Pause');
    await page.keyboard.press('Enter');
    await waitForText(nextDue, 'paused');
    await expectFocus(page, { tag: 'BUTTON', name: 'Resume' });
    expect((await api('GET', `/schedules/${id}`)).body!.enabled).toBe(false);
    await page.keyboard.press('Space');
    await waitForText(nextDue, /06:00 CE/);
    await expectFocus(page, { tag: 'BUTTON', name: 'Pause' });
    expect((await api('GET', `/schedules/${id}`)).body!.enabled).toBe(true);

    // Delete asks first, with focus on the answer that keeps the schedule.
    await tabTo(page, 'Delete');
    await page.keyboard.press('Enter');
    await expectFocus(page, { tag: 'BUTTON', name: 'Keep it' });
    await page.keyboard.press('Enter');
    await expectFocus(page, { tag: 'BUTTON', name: 'Delete' });
    await page.keyboard.press('Enter');
    await tabTo(page, 'Confirm delete', { backwards: true });
    await page.keyboard.press('Enter');
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    expect((await api('GET', `/schedules/${id}`)).status).toBe(404);
    await expectFocus(page, { tag: 'P', name: `Schedule #${id} deleted.` });
    await checkPage(page, `${db.dialect}-keyboard-schedule-deleted`);
  });
});

interface Focus {
  tag: string;
  /** The element's name as a person reads it: its aria-label, its label, or its text (main: "main"). */
  name: string;
  /** Whether it shows a focus indicator: an outline or a box-shadow. */
  shown: boolean;
}

function focusOf(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return { tag: 'BODY', name: '', shown: false };
    const style = getComputedStyle(element);
    const shown =
      (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    const label = (element as HTMLInputElement).labels?.[0]?.textContent;
    const name =
      element.tagName === 'MAIN'
        ? 'main'
        : (element.getAttribute('aria-label') ?? label ?? element.textContent ?? '');
    return { tag: element.tagName, name: name.replace(/\s+/g, ' ').trim(), shown };
  });
}

const describeFocus = (focus: Focus) =>
  focus.tag === 'BODY' ? 'nothing (the body)' : `<${focus.tag.toLowerCase()}> "${focus.name}"`;

function matches(focus: Focus, expected: { tag?: string; name: string | RegExp }): boolean {
  if (expected.tag && focus.tag !== expected.tag) return false;
  return typeof expected.name === 'string' ? focus.name === expected.name : expected.name.test(focus.name);
}

function assertShown(focus: Focus): void {
  if (focus.tag === 'BODY') throw new Error('Focus was lost to the body');
  if (!focus.shown) throw new Error(`${describeFocus(focus)} has focus but shows no focus indicator`);
}

/** Waits (at most `timeoutMs`) until the expected element has focus, then checks it shows it. */
async function expectFocus(
  page: Page,
  expected: { tag?: string; name: string | RegExp },
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let focus = await focusOf(page);
  while (!matches(focus, expected)) {
    if (Date.now() > deadline) {
      throw new Error(
        `Expected focus on ${expected.tag ?? 'an element'} "${String(expected.name)}" within ${timeoutMs} ms; ${describeFocus(focus)} has it`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    focus = await focusOf(page);
  }
  assertShown(focus);
}

/** Presses Tab (or Shift+Tab) until the element named `name` has focus, checking each stop shows its focus. */
async function tabTo(page: Page, name: string, options: { backwards?: boolean } = {}): Promise<void> {
  const stops: string[] = [];
  for (let press = 0; press < 40; press++) {
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab');
    const focus = await focusOf(page);
    assertShown(focus);
    stops.push(describeFocus(focus));
    if (focus.name === name) return;
  }
  throw new Error(
    `"${name}" was not reached by ${options.backwards ? 'Shift+Tab' : 'Tab'}: ${stops.join(', ')}`,
  );
}

/** Moves the focused select's choice with the arrow keys until `value` is chosen. */
async function chooseByArrows(page: Page, value: string): Promise<void> {
  const state = () =>
    page.evaluate(() => {
      const select = document.activeElement as HTMLSelectElement;
      return { index: select.selectedIndex, values: Array.from(select.options, (option) => option.value) };
    });
  const { index, values } = await state();
  const target = values.indexOf(value);
  if (target < 0) throw new Error(`${value} is not among the choices: ${values.join(', ')}`);
  for (let step = 0; step < Math.abs(target - index); step++) {
    await page.keyboard.press(target > index ? 'ArrowDown' : 'ArrowUp');
  }
  const chosen = await state();
  expect(chosen.values[chosen.index]).toBe(value);
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
