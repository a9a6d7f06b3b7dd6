import type { Page } from 'playwright-core';
import type { SiteRow, UserRow } from '@spotlight/core/testing';
import { checkPage, consoleSuite, createToken, describeBrowser, waitForText } from './console.fixture';

/**
 * The console by keyboard alone: every control is reached with Tab and used
 * with Enter, Space, arrows and typing; whatever takes focus shows it, and a
 * page reached by a link says so (its heading takes focus, the tab's title names it).
 */
describeBrowser('the console by keyboard alone', (db) => {
  let site: SiteRow;
  let mona: UserRow;
  let zed: UserRow;
  let staff: string;

  const suite = consoleSuite(db, async () => {
    site = await db.factory.site({ name: 'Keyboard Learning' });
    mona = await db.factory.manager({ site, first_name: 'Mona', last_name: 'Manager' });
    zed = await db.factory.manager({ site, first_name: 'Zed', last_name: 'Manager' });
    staff = (await createToken(db, { staff: true })).token;
    // en-US: a date field takes its parts as month, day, year.
    return { token: staff, browser: { locale: 'en-US' } };
  });

  it('signs in: the Token field has focus, Tab goes on to "Sign in", Enter signs in', async () => {
    await suite.page.goto('/');
    await expectFocus(suite.page, { tag: 'INPUT', name: 'Token' });
    expect(await suite.page.title()).toBe('Sign in · Spotlight exports');
    await checkPage(suite.page, `${db.dialect}-keyboard-sign-in`);

    // A refused token: the reason shows and focus stays on the button pressed.
    await suite.page.keyboard.type('spx_not_a_token');
    await tabTo(suite.page, 'Sign in');
    await suite.page.keyboard.press('Enter');
    await waitForText(suite.page.getByRole('alert'), /\S/);
    await expectFocus(suite.page, { tag: 'BUTTON', name: 'Sign in' });

    await tabTo(suite.page, 'Token', { backwards: true });
    await suite.page.keyboard.press('ControlOrMeta+A');
    await suite.page.keyboard.type(staff);
    await suite.page.keyboard.press('Enter');
    await suite.page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 10_000 });
  });

  it('the first Tab after signing in reaches "Skip to content"; Enter on it moves focus into main', async () => {
    await suite.page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor({ timeout: 10_000 });
    expect(await suite.page.title()).toBe('Customers · Spotlight exports');
    // Signing in replaces the whole page, as a load does: focus starts from the top, where the skip link is.
    expect((await focusOf(suite.page)).tag).toBe('BODY');
    await suite.page.keyboard.press('Tab');
    await expectFocus(suite.page, { tag: 'A', name: 'Skip to content' });
    await suite.page.keyboard.press('Enter');
    await expectFocus(suite.page, { tag: 'MAIN', name: 'main' });
  });

  it('a section taken by Enter in the nav gets focus on its heading and its name in the title', async () => {
    await tabTo(suite.page, 'Schedules', { backwards: true });
    await suite.page.keyboard.press('Enter');
    await expectFocus(suite.page, { tag: 'H1', name: 'Schedules' });
    expect(await suite.page.title()).toBe('Schedules · Spotlight exports');
    expect(new URL(suite.page.url()).pathname).toBe('/console/schedules');
    await checkPage(suite.page, `${db.dialect}-keyboard-schedules`);

    await tabTo(suite.page, 'Customers', { backwards: true });
    await suite.page.keyboard.press('Enter');
    await expectFocus(suite.page, { tag: 'H1', name: 'Customers' });
    expect(await suite.page.title()).toBe('Customers · Spotlight exports');
  });

  it("Export now by keyboard on the customer's page: the chosen manager gets exactly one email", async () => {
    await waitForText(suite.page.getByRole('link', { name: site.domain }), site.domain);
    await checkPage(suite.page, `${db.dialect}-keyboard-customers`);
    await tabTo(suite.page, site.domain);
    await suite.page.keyboard.press('Enter');
    const title = `Keyboard Learning (${site.domain})`;
    await expectFocus(suite.page, { tag: 'H1', name: /^(Keyboard Learning \()?site-.*\.example\.com\)?$/ });
    await waitFor(
      async () => (await suite.page.title()) === `${title} · Spotlight exports`,
      'the title names the customer',
    );
    const form = suite.page.getByRole('form', { name: 'Export now' });
    await form.getByLabel('Recipient').waitFor({ timeout: 10_000 });
    suite.smtp.messages.length = 0;

    await tabTo(suite.page, 'Recipient');
    // The first manager is chosen to begin with; the other one is chosen by arrows.
    expect(await form.getByLabel('Recipient').inputValue()).toBe(mona.email);
    await chooseByArrows(suite.page, zed.email);
    await tabTo(suite.page, 'Since');
    await suite.page.keyboard.type('01012026');
    expect(await form.getByLabel('Since').inputValue()).toBe('2026-01-01');
    await tabTo(suite.page, 'Until');
    await suite.page.keyboard.type('06302026');
    expect(await form.getByLabel('Until').inputValue()).toBe('2026-06-30');
    await tabTo(suite.page, 'Time zone');
    await suite.page.keyboard.type('Europe/Paris');
    expect(await form.getByLabel('Time zone').inputValue()).toBe('Europe/Paris');
    await tabTo(suite.page, 'Send export');
    await suite.page.keyboard.press('Space');

    const followed = suite.page.getByRole('region', { name: /^Export #\d+$/ });
    await waitForText(followed, /Status\s+sent/, 30_000);
    await expectFocus(suite.page, { tag: 'BUTTON', name: 'Send export' });
    const [mail] = await suite.smtp.waitFor(1);
    expect(mail.envelope.to).toEqual([zed.email]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(suite.smtp.messages).toHaveLength(1);
    await checkPage(suite.page, `${db.dialect}-keyboard-customer`);
  });

  it('New schedule by keyboard, then Pause, Resume and Delete of it, focus kept where the work goes on', async () => {
    await tabTo(suite.page, 'Schedules', { backwards: true });
    await suite.page.keyboard.press('Enter');
    await expectFocus(suite.page, { tag: 'H1', name: 'Schedules' });

    await tabTo(suite.page, 'New schedule');
    await suite.page.keyboard.press('Space');
    const form = suite.page.getByRole('form', { name: 'New schedule' });
    await form.waitFor({ timeout: 5_000 });
    await expectFocus(suite.page, { tag: 'BUTTON', name: 'New schedule' });
    expect(await suite.page.getByRole('button', { name: 'New schedule' }).getAttribute('aria-expanded')).toBe(
      'true',
    );

    await tabTo(suite.page, 'Customer');
    await suite.page.keyboard.type(site.domain);
    await waitForText(form.getByLabel('Recipient'), zed.email);
    await tabTo(suite.page, 'Recipient');
    await chooseByArrows(suite.page, zed.email);
    await tabTo(suite.page, 'Cron');
    await suite.page.keyboard.press('ControlOrMeta+A');
    await suite.page.keyboard.type('0 6 * * 2');
    await tabTo(suite.page, 'Time zone');
    await suite.page.keyboard.type('Europe/Paris');
    expect(await form.getByLabel('Time zone').inputValue()).toBe('Europe/Paris');
    await tabTo(suite.page, 'Window (days)');
    await suite.page.keyboard.type('7');
    await waitForText(form.getByRole('region', { name: 'Schedule preview' }), /06:00 CE/);
    await checkPage(suite.page, `${db.dialect}-keyboard-new-schedule`);
    await tabTo(suite.page, 'Create schedule');
    await suite.page.keyboard.press('Enter');

    const notice = await waitForText(suite.page.getByRole('status').first(), /Schedule #\d+ created/);
    const id = Number(/#(\d+)/.exec(notice)![1]);
    expect((await suite.api('GET', `/schedules/${id}`)).body).toMatchObject({
      customer: site.domain,
      recipient: zed.email,
      cron: '0 6 * * 2',
      timeZone: 'Europe/Paris',
      windowDays: 7,
    });
    // The form is gone: focus goes to the new schedule's card, where its actions are.
    await expectFocus(suite.page, { tag: 'H2', name: `Schedule #${id}` });
    const card = suite.page.getByRole('article', { name: `Schedule #${id}` });
    const nextDue = card.getByLabel('Next due');
    await waitForText(nextDue, /06:00 CE/);

    await tabTo(suite.page, 'Pause');
    await suite.page.keyboard.press('Enter');
    await waitForText(nextDue, 'paused');
    await expectFocus(suite.page, { tag: 'BUTTON', name: 'Resume' });
    expect((await suite.api('GET', `/schedules/${id}`)).body!.enabled).toBe(false);
    await suite.page.keyboard.press('Space');
    await waitForText(nextDue, /06:00 CE/);
    await expectFocus(suite.page, { tag: 'BUTTON', name: 'Pause' });
    expect((await suite.api('GET', `/schedules/${id}`)).body!.enabled).toBe(true);

    // Delete asks first, with focus on the answer that keeps the schedule.
    await tabTo(suite.page, 'Delete');
    await suite.page.keyboard.press('Enter');
    await expectFocus(suite.page, { tag: 'BUTTON', name: 'Keep it' });
    await suite.page.keyboard.press('Enter');
    await expectFocus(suite.page, { tag: 'BUTTON', name: 'Delete' });
    await suite.page.keyboard.press('Enter');
    await tabTo(suite.page, 'Confirm delete', { backwards: true });
    await suite.page.keyboard.press('Enter');
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    expect((await suite.api('GET', `/schedules/${id}`)).status).toBe(404);
    await expectFocus(suite.page, { tag: 'P', name: `Schedule #${id} deleted.` });
    await checkPage(suite.page, `${db.dialect}-keyboard-schedule-deleted`);
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
