import type { SiteRow, UserRow } from '@spotlight/core/testing';
import {
  apiAs,
  checkPage,
  consoleSuite,
  createToken,
  describeBrowser,
  revokeToken,
  signIn,
  waitForText,
} from './console.fixture';

const XSS = '<img src=x onerror=alert(1)>';

/** A site token's console: its own customer only, names as text, and how it ends (401, 429). */
describeBrowser('the console in a browser, site token', (db) => {
  let own: SiteRow;
  let other: SiteRow;
  let ownManager: UserRow;
  let otherManager: UserRow;
  let site: { token: string; id: number };
  let scheduleId: number;
  let staff: { token: string; id: number };

  const suite = consoleSuite(db, async () => {
    own = await db.factory.site({ name: XSS });
    ownManager = await db.factory.manager({ site: own, first_name: XSS, last_name: 'Manager' });
    await db.factory.community({ site: own, creator: ownManager, name: XSS });
    other = await db.factory.site({ name: 'Other Corp' });
    otherManager = await db.factory.manager({ site: other, first_name: 'Olga' });
    const created = await createToken(db, { site: own.domain });
    site = { token: created.token, id: created.record.id };
    const staffToken = await createToken(db, { staff: true });
    staff = { token: staffToken.token, id: staffToken.record.id };
    return { env: { SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: '5' } };
  });

  beforeAll(async () => {
    const res = await fetch(`${suite.url}/schedules`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${staff.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        customer: own.domain,
        recipient: ownManager.email,
        cron: '0 7 * * 1',
        timeZone: 'UTC',
      }),
    });
    scheduleId = ((await res.json()) as { id: number }).id;
    await suite.page.goto('/');
  });

  it('shows its own customer only, with no Audit link, and names that look like HTML as text', async () => {
    await signIn(suite.page, site.token);
    await suite.page.getByRole('link', { name: 'Customers', exact: true }).waitFor();
    await waitForText(suite.page.locator('tbody'), own.domain);
    expect(await suite.page.locator('tbody tr').count()).toBe(1);
    expect(await suite.page.locator('tbody').innerText()).toContain(XSS);
    expect(await suite.page.getByText(other.domain).count()).toBe(0);
    expect(await suite.page.getByRole('link', { name: 'Audit', exact: true }).count()).toBe(0);

    await suite.page.getByRole('link', { name: own.domain }).click();
    await waitForText(
      suite.page.getByRole('listitem').filter({ hasText: ownManager.email }),
      `${XSS} Manager`,
    );
    // The heading names the domain until the customer's own request answers, then its name too.
    const heading = suite.page.getByRole('heading', { level: 1 });
    expect(await waitForText(heading, `${XSS} (${own.domain})`)).toBe(`${XSS} (${own.domain})`);
    expect(await suite.page.locator('img').count()).toBe(0);
    await checkPage(suite.page, `${db.dialect}-site-customer`);
  });

  it("previews its schedule's email in a sandbox where the community's name stays text", async () => {
    await suite.page.getByRole('link', { name: 'Schedules', exact: true }).click();
    const card = suite.page.getByRole('article', { name: `Schedule #${scheduleId}` });
    await card.getByRole('button', { name: 'Preview email' }).click();
    const frame = card.locator('iframe');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    const inside = suite.page.frameLocator(`iframe[title="Email preview of schedule #${scheduleId}"]`);
    await waitForText(inside.locator('body'), own.domain);
    expect(await inside.locator('img[src="x"]').count()).toBe(0);
    await checkPage(suite.page, `${db.dialect}-site-schedules`);
  });

  it('sees why its schedule is paused and how its last run ended, as staff see them', async () => {
    const asStaff = apiAs(suite.url, staff.token);
    const queued = await asStaff('POST', `/schedules/${scheduleId}/run`);
    expect(queued.status).toBe(202);
    await suite.smtp.waitFor(1, 30_000);
    const deadline = Date.now() + 10_000;
    while ((await asStaff('GET', `/exports/${String(queued.body!.id)}`)).body!.status !== 'sent') {
      if (Date.now() > deadline)
        throw new Error(`export ${String(queued.body!.id)} was not sent within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await asStaff('PATCH', `/schedules/${scheduleId}`, { enabled: false })).status).toBe(200);

    await suite.page.reload();
    const card = suite.page.getByRole('article', { name: `Schedule #${scheduleId}` });
    expect(await waitForText(card.getByLabel('Paused because'), /^Paused by token/)).toMatch(
      new RegExp(`^Paused by token ${staff.id} on .+\\.$`),
    );
    expect(await waitForText(card.getByLabel('Last result'), /sent/)).toMatch(
      new RegExp(`^#${String(queued.body!.id)} sent `),
    );
  });

  it("gets the API's 404 for another customer's page, naming none of its managers", async () => {
    await suite.page.goto(`/console/customers/${other.domain}`);
    const alert = suite.page.getByRole('alert').first();
    await waitForText(alert, /not found|no customer|404/i);
    const text = await suite.page.locator('main').innerText();
    expect(text).not.toContain(otherManager.email);
    expect(text).not.toContain('Other Corp');
    // The page was opened by URL: the token came back from sessionStorage, not from the URL.
    expect(suite.page.url()).not.toContain(site.token);
  });

  it('returns to the sign-in page with the reason when the token is revoked (401)', async () => {
    await revokeToken(db, site.id);
    // The API refuses it from now on (one failure of the five this address may have a minute)...
    const refused = await fetch(`${suite.url}/exports`, {
      headers: { Authorization: `Bearer ${site.token}` },
    });
    expect(refused.status).toBe(401);
    // ...and the console says so: whether the page still open or the one opened now is the first
    // to be refused, the sign-in page of the page opened now gives the reason.
    await suite.page.goto('/console/exports');
    const reason = await waitForText(suite.page.getByRole('alert'), /^Signed out: /);
    expect(reason.split('\n')).toHaveLength(1);
    await suite.page.getByLabel('Token').waitFor();
    expect(await suite.page.evaluate(() => sessionStorage.getItem('spotlight.token'))).toBeNull();
  });

  it('says when to retry after too many failed sign-ins (429)', async () => {
    let message = '';
    for (let attempt = 0; attempt < 8 && !/retry in \d+ s/.test(message); attempt++) {
      await suite.page.getByLabel('Token').fill(`spx_wrong${attempt}`);
      await suite.page.getByRole('button', { name: 'Sign in' }).click();
      message = await waitForText(suite.page.getByRole('alert'), new RegExp(`.`), 5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      message = await suite.page.getByRole('alert').innerText();
    }
    expect(message).toMatch(/^Too many requests: retry in \d+ s \(at \d\d:\d\d:\d\d\)\.$/);
    await checkPage(suite.page, `${db.dialect}-sign-in-429`);
  });
});
