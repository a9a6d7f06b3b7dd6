import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import type { SiteRow, UserRow } from '@spotlight/core/testing';
import {
  checkPage,
  consoleSuite,
  createToken,
  describeBrowser,
  signIn,
  waitForText,
} from './console.fixture';

/**
 * The console at 320 CSS pixels wide (WCAG 2.1 SC 1.4.10 Reflow: 400 % zoom on a 1280 px
 * screen, or a phone) and with its text at 200 % (SC 1.4.4): nothing lost or clipped, no
 * page scrolling sideways; only a data table may scroll, inside its own focusable, named box.
 */
describeBrowser('the console at 320 CSS pixels wide and with text at 200 %', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  let staff: string;
  let runId: number;

  const suite = consoleSuite(db, async () => {
    // A name with a long word, a long domain and a 60-character local part: none of them breaks at a space.
    site = await db.factory.site({
      name: 'Fortbildungsgemeinschaftsverwaltungsakademie Nord',
      domain: `continuing-education-and-professional-development-${crypto.randomBytes(3).toString('hex')}.northern-academy.example.com`,
    });
    manager = await db.factory.manager({
      site,
      first_name: 'Alexandra',
      last_name: 'Konstantinopoulou',
      email: `alexandra.konstantinopoulou.continuing.education.coordinator@${site.domain}`,
    });
    staff = (await createToken(db, { staff: true })).token;
    return { token: staff, browser: { viewport: { width: 320, height: 640 } } };
  });

  beforeAll(async () => {
    const schedule = await suite.api('POST', '/schedules', {
      customer: site.domain,
      recipient: manager.email,
      cron: '0 9 * * 1',
      timeZone: 'Europe/Paris',
      windowDays: 7,
    });
    expect(schedule.status).toBe(201);
    const queued = await suite.api('POST', '/exports', { customer: site.domain, recipient: manager.email });
    expect(queued.status).toBe(202);
    runId = queued.body!.id as number;
    await suite.smtp.waitFor(1, 30_000);
  });

  const longTexts = () => [site.name, site.domain, manager.email];

  /** What is lost or scrolls sideways on the page as it is now; a screenshot is kept. */
  async function expectReflows(name: string): Promise<void> {
    await checkPage(suite.page, `${db.dialect}-reflow-${name}`);
    expect(await reflowProblems(suite.page, longTexts())).toEqual([]);
  }

  it('sign-in', async () => {
    await suite.page.goto('/');
    await suite.page.getByLabel('Token').waitFor({ timeout: 10_000 });
    await expectReflows('sign-in');
    await signIn(suite.page, staff);
  });

  it('Customers: the table scrolls in its own box, the page does not', async () => {
    await suite.page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor({ timeout: 10_000 });
    await waitForText(
      suite.page.getByRole('row', { name: new RegExp(site.domain.replace(/\./g, '\\.')) }),
      site.name,
    );
    await expectReflows('customers');
  });

  it("a customer's page with the Export now form, its exports and its schedule", async () => {
    await suite.page.getByRole('link', { name: site.domain }).click();
    await suite.page
      .getByRole('heading', { name: `${site.name} (${site.domain})` })
      .waitFor({ timeout: 10_000 });
    await waitForText(suite.page.getByRole('listitem').filter({ hasText: manager.email }), 'Alexandra');
    const form = suite.page.getByRole('form', { name: 'Export now' });
    expect(await form.getByLabel('Recipient').inputValue()).toBe(manager.email);
    await waitForText(suite.page.getByRole('row', { name: new RegExp(`#${runId}\\b`) }), 'sent');
    await waitForText(suite.page.getByRole('article').first().getByLabel('Next due'), /09:00/);
    await form.getByRole('button', { name: 'Send export' }).waitFor();
    await expectReflows('customer');
  });

  it('Exports', async () => {
    await suite.page.getByRole('link', { name: 'Exports', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Exports', level: 1 }).waitFor({ timeout: 10_000 });
    await waitForText(suite.page.getByRole('row', { name: new RegExp(`#${runId}\\b`) }), 'sent');
    await expectReflows('exports');
  });

  it("an export's detail", async () => {
    await suite.page.getByRole('link', { name: `#${runId}`, exact: true }).click();
    await waitForText(suite.page.locator('dl.facts'), /Status\s+sent/);
    await waitForText(suite.page.locator('dl.facts'), manager.email);
    await expectReflows('export');
  });

  it('Schedules with the New schedule form open and its preview shown', async () => {
    await openNewSchedule();
    await expectReflows('schedules');
  });

  it('Audit', async () => {
    await suite.page.getByRole('link', { name: 'Audit', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor({ timeout: 10_000 });
    await waitForText(suite.page.locator('tbody'), `run:${runId}`);
    await expectReflows('audit');
  });

  it('at 1280 wide with the text at 200 %: Schedules and a customer page, no control over another', async () => {
    await suite.page.setViewportSize({ width: 1280, height: 800 });
    // The root's size, as a browser's text size setting changes it; every rem follows.
    await suite.page.evaluate(() => {
      document.documentElement.style.fontSize = '200%';
    });
    await openNewSchedule();
    await expectReflows('schedules-text-200');

    await suite.page.getByRole('article').first().getByRole('link', { name: site.domain }).click();
    await suite.page.waitForURL(`**/console/customers/${encodeURIComponent(site.domain)}`, {
      timeout: 10_000,
    });
    // Says what the page shows if the customer's name does not come (a CI run once timed out here).
    await waitForText(suite.page.getByRole('heading', { level: 1 }), `${site.name} (${site.domain})`);
    await waitForText(suite.page.getByRole('row', { name: new RegExp(`#${runId}\\b`) }), 'sent');
    await suite.page
      .getByRole('form', { name: 'Export now' })
      .getByRole('button', { name: 'Send export' })
      .waitFor();
    await expectReflows('customer-text-200');
  });

  /** Schedules, with New schedule open for the customer and its preview's five due times shown. */
  async function openNewSchedule(): Promise<void> {
    await suite.page.getByRole('link', { name: 'Schedules', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor({ timeout: 10_000 });
    await waitForText(suite.page.getByRole('article').first().getByLabel('Next due'), /09:00/);
    await suite.page.getByRole('button', { name: 'New schedule' }).click();
    const form = suite.page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Customer').fill(site.domain);
    await waitForText(form.getByLabel('Recipient'), manager.email);
    await form.getByLabel('Cron').fill('0 9 * * 1');
    await form.getByLabel('Window (days)').fill('7');
    await waitForText(form.getByRole('region', { name: 'Schedule preview' }), /Next 5 due times/);
    expect(await form.getByRole('region', { name: 'Schedule preview' }).locator('li').count()).toBe(5);
  }
});

/**
 * Everything on the page that breaks reflow, one line each: the page scrolling sideways; a
 * visible control, or a long text, beyond the right edge or clipped in its box (unless in a
 * table's scroll box); a table wider than the page outside a scroll box that a keyboard can
 * reach and a screen reader names; a form's labels and controls, or the header's, on top of each other.
 */
function reflowProblems(page: Page, longTexts: string[]): Promise<string[]> {
  return page.evaluate((texts) => {
    const found: string[] = [];
    const width = window.innerWidth;
    const describe = (element: Element) =>
      `<${element.tagName.toLowerCase()}> "${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40)}"`;
    const shown = (element: Element) =>
      element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
    /** The box a table scrolls in, if `element` is in one. */
    const tableScroller = (element: Element): HTMLElement | null => {
      for (let box = element.parentElement; box; box = box.parentElement) {
        if (/auto|scroll/.test(getComputedStyle(box).overflowX) && box.querySelector('table')) return box;
      }
      return null;
    };

    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth > width) found.push(`the page scrolls sideways: ${pageWidth} px wide in ${width}`);

    for (const control of Array.from(document.querySelectorAll('input, select, textarea, button, a[href]'))) {
      if (!shown(control) || tableScroller(control)) continue;
      const right = control.getBoundingClientRect().right + window.scrollX;
      if (right > width + 1)
        found.push(`${describe(control)} ends at ${Math.round(right)} px, past ${width}`);
    }

    for (const table of Array.from(document.querySelectorAll('table'))) {
      if (!shown(table) || table.getBoundingClientRect().width <= width) continue;
      const box = tableScroller(table);
      if (!box) {
        found.push(`${describe(table.rows[0] ?? table)}: a table wider than the page, in no scroll box`);
        continue;
      }
      const named = box.getAttribute('aria-label') || box.getAttribute('aria-labelledby');
      if (box.getAttribute('tabindex') !== '0' || box.getAttribute('role') !== 'region' || !named)
        found.push(
          `a table's scroll box is not a focusable, named region: role=${box.getAttribute('role')} tabindex=${box.getAttribute('tabindex')} name=${named}`,
        );
    }

    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const parent = node.parentElement;
      if (!parent || !texts.some((long) => text.includes(long))) continue;
      if (parent.closest('select, option, datalist') || !shown(parent) || tableScroller(parent)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const right = range.getBoundingClientRect().right + window.scrollX;
      if (right > width + 1)
        found.push(`"${text.slice(0, 40)}" ends at ${Math.round(right)} px, past ${width}`);
      const holder = parent.closest('dd, td, th, li, h1, h2, h3, p, label, caption') ?? parent;
      if (holder.scrollWidth > holder.clientWidth + 1)
        found.push(
          `${describe(holder)} overflows its box: ${holder.scrollWidth} px in ${holder.clientWidth}`,
        );
    }

    const groups = Array.from(document.querySelectorAll('form, header')).filter(shown);
    for (const group of groups) {
      const parts = Array.from(
        group.querySelectorAll('label, input, select, textarea, button, a[href]'),
      ).filter(shown);
      const boxes = parts.map((part) => part.getBoundingClientRect());
      boxes.forEach((a, i) => {
        boxes.slice(i + 1).forEach((b, j) => {
          const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (across > 1 && down > 1)
            found.push(`${describe(parts[i])} overlaps ${describe(parts[i + 1 + j])}`);
        });
      });
    }
    return found;
  }, longTexts);
}
