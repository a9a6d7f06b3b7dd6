import type { SiteRow, UserRow } from '@spotlight/core/testing';
import type { CapturedMail } from '@spotlight/testing';
import { checkPage, consoleSuite, createToken, describeBrowser, waitForText } from './console.fixture';

// The address the emails' links name; in production a reverse proxy's. The test
// maps it to the server it started, as the proxy would.
const PUBLIC_URL = 'https://exports.example.test';

/** A header of the email as it was sent, unfolded. */
function header(mail: CapturedMail, name: string): string {
  const line = mail.mail.headerLines.find((entry) => entry.key === name.toLowerCase())?.line ?? '';
  return line.replace(/\r?\n(?=[ \t])/g, '').replace(/^[^:]+:\s*/, '');
}

/**
 * A scheduled email's one-click unsubscribe as its recipient meets it: the
 * email's "how to stop" link, the page it opens (which stops nothing), the
 * button, and the page after. Screenshots in the test report folder.
 */
describeBrowser('a manager stops a scheduled export from its email', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  let staff: string;
  let scheduleId: number;
  let mail: CapturedMail;

  const suite = consoleSuite(db, async () => {
    site = await db.factory.site({ name: 'Acme Learning' });
    manager = await db.factory.manager({ site, first_name: 'Mona', last_name: 'Manager' });
    staff = (await createToken(db, { staff: true })).token;
    return {
      env: { SPOTLIGHT_PUBLIC_URL: PUBLIC_URL, SPOTLIGHT_ALERT_EMAIL: 'support@unsubscribe.test' },
      token: staff,
    };
  });

  /** The link as the email names it, on the server this test started. */
  const served = (link: string) => link.replace(PUBLIC_URL, suite.url);

  beforeAll(async () => {
    const created = await suite.api('POST', '/schedules', {
      customer: site.domain,
      recipient: manager.email,
      cron: '0 7 * * 1',
      timeZone: 'Europe/Berlin',
      windowDays: 7,
    });
    expect(created.status).toBe(201);
    scheduleId = created.body!.id as number;
    expect((await suite.api('POST', `/schedules/${scheduleId}/run`)).status).toBe(202);
    [mail] = await suite.smtp.waitFor(1, 30_000);
  });

  it("carries RFC 8058's headers, and its closing line links to the same address", async () => {
    expect(mail.envelope.to).toEqual([manager.email]);
    const link = /^<(https:\/\/exports\.example\.test\/unsubscribe\/[^>]+)>$/.exec(
      header(mail, 'List-Unsubscribe'),
    )?.[1];
    expect(link).toBeDefined();
    expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(mail, 'Auto-Submitted')).toBe('auto-generated');

    // The email as its recipient reads it, in the browser.
    await suite.page.setContent(String(mail.mail.html));
    const stop = suite.page.getByRole('link', { name: 'stop these emails' });
    expect(await stop.getAttribute('href')).toBe(link);
    await checkPage(suite.page, `${db.dialect}-unsubscribe-email`);
  });

  it('opening the link stops nothing: the page says which export would stop and asks', async () => {
    const link = /<([^>]+)>/.exec(header(mail, 'List-Unsubscribe'))![1]!;
    await suite.page.goto(served(link));
    expect(await suite.page.getByRole('heading', { level: 1 }).innerText()).toBe(
      'Stop this scheduled export?',
    );
    const text = await suite.page.locator('body').innerText();
    // The customer as the email names it: its name, then its domain.
    expect(text).toContain(`user activity export of Acme Learning (${site.domain}) by email`);
    expect(text).toContain(manager.email);
    await checkPage(suite.page, `${db.dialect}-unsubscribe-confirm`);
    // A second look (a mail scanner's prefetch) changes nothing either.
    await suite.page.reload();
    expect((await suite.api('GET', `/schedules/${scheduleId}`)).body).toMatchObject({
      enabled: true,
      pausedBy: null,
    });
  });

  it('the button stops exactly that schedule, as paused by its recipient, and says support was told', async () => {
    await suite.page.getByRole('button', { name: 'Stop these emails' }).click();
    await waitForText(suite.page.getByRole('heading', { level: 1 }), 'Stopped');
    const stopped = await suite.page.locator('body').innerText();
    expect(stopped).toContain(
      `The user activity export of Acme Learning (${site.domain}) to ${manager.email}`,
    );
    expect(stopped).toContain('Your Spotlight support contact has been told.');
    await checkPage(suite.page, `${db.dialect}-unsubscribe-stopped`);
    expect((await suite.api('GET', `/schedules/${scheduleId}`)).body).toMatchObject({
      enabled: false,
      pausedBy: 'recipient',
    });
    const alerts = await suite.smtp.waitFor(2, 30_000);
    expect(alerts[1]!.envelope.to).toEqual(['support@unsubscribe.test']);

    // The link again: already stopped, nothing more done.
    const link = /<([^>]+)>/.exec(header(mail, 'List-Unsubscribe'))![1]!;
    await suite.page.goto(served(link));
    expect(await suite.page.getByRole('heading', { level: 1 }).innerText()).toBe('Already stopped');
  });
});
