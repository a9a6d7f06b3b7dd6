import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Stream } from 'node:stream';
import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { readWorkbook, SmtpCapture } from '@spotlight/testing';
import { XLSX_CONTENT_TYPE } from '@spotlight/core';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';
import { DownloadLimiter, type DownloadSlot } from '../customers/download-limiter';
import { DownloadCleanupJob } from '../jobs/download-cleanup.job';
import { ExportRunner } from './export-runner.service';

const PUBLIC_URL = 'http://exports.spotlight.test';

function binary(res: Stream, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describeEachDatabase("an export's kept workbook, fetched by the run's id", (db) => {
  let smtp: SmtpCapture;
  let storage: string;
  let t: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;
  let otherSiteToken: string;
  let ownSiteToken: string;

  /** Queues an export through the API and runs it as the worker would; the run as GET /exports/{id} tells it. */
  async function exportThrough(app: TestApp) {
    const queued = await request(app.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email })
      .expect(202);
    const run = await app.app.get(ExportRunner).runNext();
    expect(run?.id).toBe(queued.body.id);
    return (await request(app.http).get(`/exports/${queued.body.id}`).set(bearer(staff)).expect(200)).body;
  }

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-run-workbook-e2e-'));
    t = await startTestApp(db, smtp, {
      SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
      SPOTLIGHT_PUBLIC_URL: PUBLIC_URL,
      SPOTLIGHT_STORAGE_DIR: storage,
    });
    staff = await createToken(db, { staff: true });
    ({ site, manager } = await siteWithActivity(db.factory, 6));
    const other = await siteWithActivity(db.factory, 1);
    otherSiteToken = await createToken(db, { site: other.site.domain });
    ownSiteToken = await createToken(db, { site: site.domain });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  });
  beforeEach(() => smtp.clear());

  it('streams the workbook a link-mode export kept, named as in the email, audited as a download', async () => {
    const run = await exportThrough(t);
    expect(run).toMatchObject({ status: 'sent', delivery: 'link' });
    expect(Date.parse(run.linkExpiresAt)).toBeGreaterThan(Date.now());
    const [message] = await smtp.waitFor(1);
    const linkPath = /\/downloads\/[A-Za-z0-9_-]{43}/.exec(message.mail.text ?? '')![0];
    const byLink = await request(t.http).get(linkPath).buffer(true).parse(binary).expect(200);

    for (const token of [staff, ownSiteToken]) {
      const response = await request(t.http)
        .get(`/exports/${run.id}/workbook.xlsx`)
        .set(bearer(token))
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(response.headers['content-type']).toBe(XLSX_CONTENT_TYPE);
      expect(response.headers['content-disposition']).toBe(byLink.headers['content-disposition']);
      expect(response.headers['content-disposition']).toMatch(
        new RegExp(`^attachment; filename="user-activity-${site.domain.replace(/\./g, '\\.')}-all-time-`),
      );
      const body = response.body as Buffer;
      expect(body.length).toBe(run.bytes);
      expect(body.equals(byLink.body as Buffer)).toBe(true);
      const book = await readWorkbook(body);
      expect(book.rows('Active users').flat()).toContain(manager.email);
    }

    const audit = await request(t.http)
      .get('/audit')
      .query({ action: 'export.download' })
      .set(bearer(staff))
      .expect(200);
    const entries = (audit.body.items as Array<{ target: string; detail: { exportId?: number } }>).filter(
      (entry) => entry.detail?.exportId === run.id,
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ target: `customer:${site.domain}`, detail: { bytes: run.bytes } });
  });

  it('answers a site token of another customer with the same 404 as the run itself', async () => {
    const run = await exportThrough(t);
    expect(run.delivery).toBe('link');
    const itself = await request(t.http).get(`/exports/${run.id}`).set(bearer(otherSiteToken)).expect(404);
    const workbook = await request(t.http)
      .get(`/exports/${run.id}/workbook.xlsx`)
      .set(bearer(otherSiteToken))
      .expect(404);
    expect(workbook.headers['content-type']).toMatch(/^application\/json/);
    expect(workbook.body).toEqual(itself.body);
    const unknown = await request(t.http)
      .get(`/exports/${run.id + 1000}/workbook.xlsx`)
      .set(bearer(staff))
      .expect(404);
    expect(unknown.body).toEqual({ ...itself.body, message: `No export has the id ${run.id + 1000}.` });
    await request(t.http).get(`/exports/${run.id}/workbook.xlsx`).expect(401);
  });

  it('answers 410 once the link has expired, and still 410 once the clean-up deleted the file', async () => {
    const run = await exportThrough(t);
    expect(run.delivery).toBe('link');
    await t
      .knex('spotlight_export_downloads')
      .where({ run_id: run.id })
      .update({
        expires_at: new Date(Date.now() - 60_000),
      });

    const expired = await request(t.http)
      .get(`/exports/${run.id}/workbook.xlsx`)
      .set(bearer(staff))
      .expect(410);
    expect(expired.headers['content-type']).toMatch(/^application\/json/);
    expect(expired.body).toMatchObject({ statusCode: 410, error: 'DOWNLOAD_EXPIRED' });

    expect(await t.app.get(DownloadCleanupJob).purge()).toBeGreaterThanOrEqual(1);
    const deleted = await request(t.http)
      .get(`/exports/${run.id}/workbook.xlsx`)
      .set(bearer(staff))
      .expect(410);
    expect(deleted.body).toMatchObject({ statusCode: 410 });
    expect(deleted.body.message).toBe(
      `The workbook of export ${run.id} is no longer kept; ask for the export again to get a new one.`,
    );
  });

  it("answers 429 with Retry-After while the customer's downloads are at their cap, as the streamed download does", async () => {
    const run = await exportThrough(t);
    const limiter = t.app.get(DownloadLimiter);
    // Every slot the customer's cap allows, taken as other downloads would.
    const held: DownloadSlot[] = [];
    let taken = await limiter.acquire(run.customer);
    while ('slot' in taken) {
      held.push(taken.slot);
      taken = await limiter.acquire(run.customer);
    }
    expect(held.length).toBeGreaterThan(0);
    try {
      const refused = await request(t.http)
        .get(`/exports/${run.id}/workbook.xlsx`)
        .set(bearer(staff))
        .expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toMatchObject({ statusCode: 429, message: expect.stringContaining(run.customer) });
    } finally {
      for (const slot of held) slot.release();
    }
    await request(t.http).get(`/exports/${run.id}/workbook.xlsx`).set(bearer(staff)).expect(200);
  });

  it('answers 404 for an export whose workbook was attached, which kept none', async () => {
    const attaching = await startTestApp(db, smtp, {
      SPOTLIGHT_PUBLIC_URL: PUBLIC_URL,
      SPOTLIGHT_STORAGE_DIR: storage,
    });
    try {
      const run = await exportThrough(attaching);
      expect(run).toMatchObject({ status: 'sent', delivery: 'attachment', linkExpiresAt: null });
      const answer = await request(t.http)
        .get(`/exports/${run.id}/workbook.xlsx`)
        .set(bearer(staff))
        .expect(404);
      expect(answer.body).toMatchObject({
        statusCode: 404,
        message: `Export ${run.id} kept no workbook: its email carried it attached.`,
      });
    } finally {
      await attaching.close();
    }
  });
});
