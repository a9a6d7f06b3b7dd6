import type { Locator, Page } from 'playwright-core';
import type { SiteRow, UserRow } from '@spotlight/core/testing';
import { apiAs, checkPage, consoleSuite, createToken, describeBrowser, waitForText } from './console.fixture';

const FINISHED = ['sent', 'failed', 'unconfirmed'];
/** formatTime's output, e.g. "Mon, 7 Dec 2026, 22:00 UTC". */
const SHOWN_TIME = /^\w{3}, \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \S+$/;

/** What the console shows when an export fails or is tried again, and the history's and audit's filters. */
describeBrowser('the console in a browser: failed exports, filters', (db) => {
  let acme: SiteRow;
  let beta: SiteRow;
  let mona: UserRow;
  let gone: UserRow;
  let busy: UserRow;
  let bert: UserRow;
  let staff: string;

  const suite = consoleSuite(db, async () => {
    acme = await db.factory.site({ name: 'Acme Failures' });
    mona = await db.factory.manager({ site: acme, first_name: 'Mona', last_name: 'Manager' });
    gone = await db.factory.manager({ site: acme, first_name: 'Gustav', last_name: 'Gone' });
    busy = await db.factory.manager({ site: acme, first_name: 'Bea', last_name: 'Busy' });
    beta = await db.factory.site({ name: 'Beta Filters' });
    bert = await db.factory.manager({ site: beta, first_name: 'Bert' });
    staff = (await createToken(db, { staff: true })).token;
    return {
      // A refused attempt is tried again after 200 ms (then 400 ms, ...), not 30 s.
      env: { SPOTLIGHT_MAIL_RETRY_BASE_MS: '200' },
      smtp: {
        refuseRecipients: {
          [gone.email]: { code: 550, message: 'No such mailbox here' },
          [busy.email]: { code: 451, message: 'Mailbox busy, try again later', times: 1 },
        },
      },
      token: staff,
      signIn: staff,
    };
  });

  /** The export as GET /exports/{id} gives it once it has finished (at most `timeoutMs`). */
  async function finished(id: number, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = (await suite.api('GET', `/exports/${id}`)).body!;
      if (FINISHED.includes(String(run.status))) return run;
      if (Date.now() > deadline)
        throw new Error(`Export ${id} is still ${String(run.status)} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("Export now to a refused address: the followed export ends failed with the server's code and words; nothing is delivered", async () => {
    await suite.page.goto(`/console/customers/${encodeURIComponent(acme.domain)}`);
    const form = suite.page.getByRole('form', { name: 'Export now' });
    await waitForText(form.getByLabel('Recipient'), gone.email);
    await form.getByLabel('Recipient').selectOption(gone.email);
    await form.getByRole('button', { name: 'Send export' }).click();

    const followed = suite.page.getByRole('region', { name: /^Export #\d+$/ });
    await waitForText(fact(followed, 'Status'), 'failed', 30_000);
    const id = Number(/Export #(\d+)/.exec(await followed.getByRole('heading').innerText())![1]);
    const run = await finished(id);
    expect(run).toMatchObject({ status: 'failed', errorCode: 'MAIL_FAILED', recipient: gone.email });
    expect(run.error).toMatch(/550 No such mailbox here/);
    expect(await fact(followed, 'Error').innerText()).toBe(`${String(run.errorCode)} ${String(run.error)}`);
    await checkPage(suite.page, `${db.dialect}-export-failed-followed`);
    // A refusal at RCPT TO: the server was never given the message.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(suite.smtp.messages).toHaveLength(0);

    await suite.page.getByRole('link', { name: 'Exports', exact: true }).click();
    const row = suite.page.getByRole('row', { name: new RegExp(`#${id}\\b`) });
    await waitForText(row, /failed\s+api/);
    await row.getByRole('link', { name: `#${id}`, exact: true }).click();
    await suite.page.getByRole('heading', { name: `Export #${id}` }).waitFor();
    expect(await waitForText(fact(suite.page, 'Status'), 'failed')).toBe('failed');
    expect(await fact(suite.page, 'Attempts').innerText()).toBe(String(run.attempts));
    expect(run.attempts).toBe(1);
    for (const timing of ['Queued', 'Started', 'Finished']) {
      expect(await fact(suite.page, timing).innerText()).toMatch(SHOWN_TIME);
    }
    expect(await fact(suite.page, 'Error').innerText()).toBe(`${String(run.errorCode)} ${String(run.error)}`);
    await checkPage(suite.page, `${db.dialect}-export-failed`);
  });

  it('a refusal that says "try later" (451) is tried again: the detail shows sent after 2 attempts', async () => {
    suite.smtp.clear();
    const queued = await suite.api('POST', '/exports', { customer: acme.domain, recipient: busy.email });
    expect(queued.status).toBe(202);
    const id = queued.body!.id as number;

    await suite.page.getByRole('link', { name: 'Exports', exact: true }).click();
    await suite.page.getByRole('link', { name: `#${id}`, exact: true }).click();
    await suite.page.getByRole('heading', { name: `Export #${id}` }).waitFor();
    await waitForText(fact(suite.page, 'Status'), 'sent', 30_000);
    const run = await finished(id);
    expect(run).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await fact(suite.page, 'Attempts').innerText()).toBe('2');
    expect(await suite.page.locator('dl.facts dt').allInnerTexts()).not.toContain('Error');
    const [mail] = await suite.smtp.waitFor(1);
    expect(mail.envelope.to).toEqual([busy.email]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(suite.smtp.messages).toHaveLength(1);
    await checkPage(suite.page, `${db.dialect}-export-retried`);
  });

  it('filters the history by source and by customer; the URL carries the filters, Back brings the last ones back', async () => {
    const schedule = await suite.api('POST', '/schedules', {
      customer: acme.domain,
      recipient: mona.email,
      cron: '0 9 * * 1',
      timeZone: 'UTC',
    });
    expect(schedule.status).toBe(201);
    const scheduled = await suite.api('POST', `/schedules/${String(schedule.body!.id)}/run`);
    expect(scheduled.status).toBe(202);
    const asked = await suite.api('POST', '/exports', { customer: beta.domain, recipient: bert.email });
    expect(asked.status).toBe(202);
    const scheduleRun = scheduled.body!.id as number;
    const apiRun = asked.body!.id as number;
    await finished(scheduleRun);
    await finished(apiRun);

    await suite.page.getByRole('link', { name: 'Exports', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Exports' }).waitFor();
    const filters = suite.page.getByRole('form', { name: 'Filter exports' });

    await filters.getByLabel('Source').selectOption('schedule');
    await filters.getByRole('button', { name: 'Filter' }).click();
    let rows = await waitForRows(
      suite.page,
      (shown) => shown.every((row) => row.Source === 'schedule'),
      scheduleRun,
    );
    expect(rows.map((row) => row.Export)).not.toContain(`#${apiRun}`);
    expect(new URL(suite.page.url()).searchParams.get('source')).toBe('schedule');
    await checkPage(suite.page, `${db.dialect}-exports-by-source`);

    await filters.getByLabel('Source').selectOption('api');
    await filters.getByRole('button', { name: 'Filter' }).click();
    rows = await waitForRows(suite.page, (shown) => shown.every((row) => row.Source === 'api'), apiRun);
    expect(rows.map((row) => row.Export)).not.toContain(`#${scheduleRun}`);
    expect(new URL(suite.page.url()).searchParams.get('source')).toBe('api');

    // Back: the URL's filter again, in the table and in the form that shows it.
    await suite.page.goBack();
    rows = await waitForRows(
      suite.page,
      (shown) => shown.every((row) => row.Source === 'schedule'),
      scheduleRun,
    );
    expect(new URL(suite.page.url()).searchParams.get('source')).toBe('schedule');
    expect(await filters.getByLabel('Source').inputValue()).toBe('schedule');

    await filters.getByLabel('Source').selectOption('');
    await filters.getByLabel('Customer').fill(beta.domain);
    await filters.getByRole('button', { name: 'Filter' }).click();
    rows = await waitForRows(
      suite.page,
      (shown) => shown.every((row) => row.Customer === beta.domain),
      apiRun,
    );
    expect(rows.map((row) => row.Export)).toEqual([`#${apiRun}`]);
    const query = new URL(suite.page.url()).searchParams;
    expect(query.get('customer')).toBe(beta.domain);
    expect(query.get('source')).toBeNull();
  });

  it("filters the audit trail by token id: that token's entries only", async () => {
    const first = await createToken(db, { staff: true });
    const second = await createToken(db, { staff: true });
    const created = await apiAs(suite.url, first.token)('POST', '/schedules', {
      customer: beta.domain,
      recipient: bert.email,
      cron: '0 7 * * 2',
      timeZone: 'UTC',
    });
    expect(created.status).toBe(201);
    const paused = await apiAs(suite.url, first.token)('PATCH', `/schedules/${String(created.body!.id)}`, {
      enabled: false,
    });
    expect(paused.status).toBe(200);
    const queued = await apiAs(suite.url, second.token)('POST', '/exports', {
      customer: beta.domain,
      recipient: bert.email,
    });
    expect(queued.status).toBe(202);
    const ofFirst = [`schedule:${String(created.body!.id)}`];
    const ofSecond = `run:${String(queued.body!.id)}`;

    await suite.page.getByRole('link', { name: 'Audit', exact: true }).click();
    await suite.page.getByRole('heading', { name: 'Audit' }).waitFor();
    const filters = suite.page.getByRole('form', { name: 'Filter audit' });
    await filters.getByLabel('Token id').fill(String(first.record.id));
    await filters.getByRole('button', { name: 'Filter' }).click();
    let rows = await waitForTable(
      suite.page,
      (shown) =>
        shown.length > 0 &&
        shown.every((row) => row.Token === String(first.record.id)) &&
        shown.filter((row) => ofFirst.includes(row.Target)).length === 2,
    );
    expect(rows.map((row) => [row.Action, row.Target])).toEqual([
      ['schedule.update', ofFirst[0]],
      ['schedule.create', ofFirst[0]],
    ]);
    await checkPage(suite.page, `${db.dialect}-audit-by-token`);

    await filters.getByLabel('Token id').fill(String(second.record.id));
    await filters.getByRole('button', { name: 'Filter' }).click();
    rows = await waitForTable(
      suite.page,
      (shown) => shown.length > 0 && shown.every((row) => row.Token === String(second.record.id)),
    );
    expect(rows.map((row) => [row.Action, row.Target])).toEqual([['export.queue', ofSecond]]);
  });
});

/** The value beside a fact's name in a `<dl>`: `fact(region, 'Status')`. */
function fact(scope: Page | Locator, name: string): Locator {
  return scope.locator(`dt:text-is("${name}") + dd`);
}

type Row = Record<string, string>;

/** The table's rows, each cell by its column's header. */
async function tableRows(page: Page): Promise<Row[]> {
  return page.locator('table').evaluateAll((tables) => {
    const [table] = tables as HTMLTableElement[];
    if (!table) return [];
    const headers = Array.from(table.tHead!.rows[0].cells).map((cell) => cell.innerText.trim());
    return Array.from(table.tBodies[0].rows).map((row) =>
      Object.fromEntries(Array.from(row.cells).map((cell, index) => [headers[index], cell.innerText.trim()])),
    );
  });
}

/**
 * Waits (at most `timeoutMs`) until the table's rows satisfy `matches`: a
 * filter's answer replaces the rows of the one before, which stay shown meanwhile.
 */
async function waitForTable(
  page: Page,
  matches: (rows: Row[]) => boolean,
  timeoutMs = 10_000,
): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await tableRows(page);
    if (matches(rows)) return rows;
    if (Date.now() > deadline) {
      throw new Error(
        `The table at ${page.url()} did not come to match within ${timeoutMs} ms; it shows ${JSON.stringify(rows)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The export rows once they all satisfy `each` and include export `id`. */
function waitForRows(page: Page, each: (rows: Row[]) => boolean, id: number): Promise<Row[]> {
  return waitForTable(page, (rows) => each(rows) && rows.some((row) => row.Export === `#${id}`));
}
