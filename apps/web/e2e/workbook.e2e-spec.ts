import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SiteRow, UserRow } from '@spotlight/core/testing';
import { readWorkbook } from '@spotlight/testing';
import { consoleSuite, createToken, describeBrowser, signIn, waitForText } from './console.fixture';

/** An export too big to attach: its detail page downloads the kept workbook with the session's token. */
describeBrowser('the console in a browser, a link-mode export', (db) => {
  let site: SiteRow;
  let manager: UserRow;
  let staff: string;
  let storage: string;

  const suite = consoleSuite(db, async () => {
    site = await db.factory.site({ name: 'Big Workbook Ltd' });
    manager = await db.factory.manager({ site, first_name: 'Lina', last_name: 'Link' });
    await db.factory.user({ site });
    staff = (await createToken(db, { staff: true })).token;
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-console-workbook-'));
    return {
      env: {
        SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
        SPOTLIGHT_PUBLIC_URL: 'http://exports.spotlight.test',
        SPOTLIGHT_STORAGE_DIR: storage,
      },
      browser: { acceptDownloads: true },
    };
  });

  afterAll(() => {
    if (storage) fs.rmSync(storage, { recursive: true, force: true });
  });

  it('shows "Download workbook (valid until …)" and clicking it saves the kept workbook', async () => {
    const headers = { Authorization: `Bearer ${staff}`, 'Content-Type': 'application/json' };
    const queued = await fetch(`${suite.url}/exports`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ customer: site.domain, recipient: manager.email }),
    });
    expect(queued.status).toBe(202);
    const { id } = (await queued.json()) as { id: number };
    const [mail] = await suite.smtp.waitFor(1, 30_000);
    expect(mail.mail.attachments).toHaveLength(0);

    await suite.page.goto('/');
    await signIn(suite.page, staff);
    await suite.page.goto(`/console/exports/${id}`);
    await waitForText(suite.page.locator('dl.facts'), /Status\s+sent/);
    const button = suite.page.getByRole('button', { name: /^Download workbook \(valid until .+\)$/ });
    const [download] = await Promise.all([
      suite.page.waitForEvent('download', { timeout: 15_000 }),
      button.click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^user-activity-${site.domain.replace(/\./g, '\\.')}-all-time-\\d{4}-\\d\\d-\\d\\d\\.xlsx$`),
    );
    const saved = path.join(storage, 'saved.xlsx');
    await download.saveAs(saved);
    const run = (await (await fetch(`${suite.url}/exports/${id}`, { headers })).json()) as {
      bytes: number;
    };
    expect(fs.statSync(saved).size).toBe(run.bytes);
    const book = await readWorkbook(fs.readFileSync(saved));
    expect(book.rows('Active users').flat().concat(book.rows('Inactive users').flat())).toContain(
      manager.email,
    );
    expect(suite.page.url()).not.toContain(staff);
    expect(suite.problems).toEqual([]);
  });
});
