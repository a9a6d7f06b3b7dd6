import { AuditRepository, RunRepository } from '@spotlight/core';
import { consoleSuite, createToken, describeBrowser } from './console.fixture';

// One more than a page of each list: the console asks for 50 customers, 50 audit entries, 25 exports.
const CUSTOMERS = 51;
const AUDIT_ENTRIES = 51;
const EXPORTS = 26;
const RUNS_OF = 'paging-runs.example.com';

/** The paged lists, customers, audit and exports, walked with their First page and Next page buttons. */
describeBrowser('the console in a browser, paged lists', (db) => {
  const suite = consoleSuite(db, async () => {
    for (let i = 0; i < CUSTOMERS; i++) await db.factory.site();
    const audit = new AuditRepository(db.knex);
    for (let i = 0; i < AUDIT_ENTRIES; i++)
      await audit.record({ tokenId: null, action: 'paging.check', target: `entry:${i}` });
    // Not due for a day: the worker leaves them queued.
    const notBefore = new Date(Date.now() + 86_400_000);
    const runs = new RunRepository(db.knex);
    for (let i = 0; i < EXPORTS; i++) {
      const recipient = `manager${i}@${RUNS_OF}`;
      const base = { customer: RUNS_OF, recipient, since: null, until: null, tokenId: null };
      await runs.insertQueued({ ...base, source: 'cli', notBefore }, new Date());
    }
    return { signIn: (await createToken(db, { staff: true })).token };
  });

  const first = () => suite.page.getByRole('button', { name: 'First page' });
  const next = () => suite.page.getByRole('button', { name: 'Next page' });

  /** Waits (at most 10 s) until the table shows `rows` rows, each holding `marker`; gives the first row's text. */
  async function shows(rows: number, marker: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    let texts: string[] = [];
    while (Date.now() < deadline) {
      texts = await suite.page.locator('tbody tr').allInnerTexts();
      if (texts.length === rows && texts.every((text) => text.includes(marker))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(texts).toHaveLength(rows);
    expect(texts.filter((text) => !text.includes(marker))).toEqual([]);
    return texts[0];
  }

  /** A full first page with Next page only, the rest on the next with First page only, and back. */
  async function walk(pageSize: number, total: number, marker = ''): Promise<void> {
    const firstRow = await shows(pageSize, marker);
    expect(await first().count()).toBe(0);
    await next().click();
    expect(await shows(total - pageSize, marker)).not.toBe(firstRow);
    await first().waitFor({ timeout: 5_000 });
    expect(await next().count()).toBe(0);
    // The pressed button is gone on the new page: the pager keeps the focus, it is not lost to the page.
    expect(await focused()).toBe('First page');
    await first().click();
    expect(await shows(pageSize, marker)).toBe(firstRow);
    expect(await first().count()).toBe(0);
    await next().waitFor({ timeout: 5_000 });
    expect(await focused()).toBe('Next page');
  }

  /** The text of the element that has the focus, once it has settled (at most 5 s): "" for the page itself. */
  async function focused(): Promise<string> {
    const deadline = Date.now() + 5_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await suite.page.evaluate(() =>
        document.activeElement === document.body ? '' : (document.activeElement as HTMLElement).innerText,
      );
      if (text) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return text;
  }

  it('pages through the customers', async () => {
    await suite.page.getByRole('link', { name: 'Customers', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Customers' }).waitFor();
    await walk(50, CUSTOMERS);
    // The table fits this window: its box does not scroll, and adds no tab stop (at 320 px it does: reflow spec).
    expect(await suite.page.getByRole('region', { name: 'Customers' }).getAttribute('tabindex')).toBeNull();
  });

  it('marks the shown page busy while the next one loads, then shows it', async () => {
    await suite.page.getByRole('link', { name: 'Customers', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Customers' }).waitFor();
    const firstRow = await shows(50, '');
    // The next page's answer is held until the busy page has been seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await suite.page.route(/\/customers\?.*cursor=/, async (route) => {
      await held;
      await route.continue();
    });
    try {
      await next().click();
      const busy = suite.page.locator('[aria-busy="true"]');
      await busy.waitFor({ timeout: 5_000 });
      expect(await busy.locator('tbody tr').first().innerText()).toBe(firstRow);
      release();
      await suite.page.locator('[aria-busy="false"] tbody tr').first().waitFor({ timeout: 5_000 });
      expect(await shows(CUSTOMERS - 50, '')).not.toBe(firstRow);
    } finally {
      release();
      await suite.page.unroute(/\/customers\?.*cursor=/);
    }
    await first().click();
    await shows(50, '');
  });

  it('pages through the audit trail, filtered by action', async () => {
    await suite.page.getByRole('link', { name: 'Audit', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Audit' }).waitFor();
    await suite.page.getByRole('form', { name: 'Filter audit' }).getByLabel('Action').fill('paging.check');
    await suite.page.getByRole('button', { name: 'Filter' }).click();
    await walk(50, AUDIT_ENTRIES, 'paging.check');
  });

  it('pages through the exports, filtered by customer, with the page in the address', async () => {
    await suite.page.getByRole('link', { name: 'Exports', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Exports' }).waitFor();
    await suite.page.getByRole('form', { name: 'Filter exports' }).getByLabel('Customer').fill(RUNS_OF);
    await suite.page.getByRole('button', { name: 'Filter' }).click();
    await walk(25, EXPORTS, RUNS_OF);
    await next().click();
    await first().waitFor({ timeout: 5_000 });
    expect(new URL(suite.page.url()).searchParams.get('customer')).toBe(RUNS_OF);
    expect(new URL(suite.page.url()).searchParams.get('cursor')).toBeTruthy();
  });
});
