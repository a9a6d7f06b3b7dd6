import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Stream } from 'node:stream';
import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { readWorkbook, SmtpCapture } from '@spotlight/testing';
import { DownloadRepository, DownloadService, XLSX_CONTENT_TYPE } from '@spotlight/core';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';
import { DownloadCleanupJob } from '../jobs/download-cleanup.job';
import { ExportRunner } from '../runs/export-runner.service';

const PUBLIC_URL = 'http://exports.spotlight.test';
const DAY_MS = 24 * 60 * 60 * 1000;

function binary(res: Stream, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describeEachDatabase('download links for workbooks too big to attach', (db) => {
  let smtp: SmtpCapture;
  let storage: string;
  let t: TestApp;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;

  /** Queues an export through the API and runs it as the worker would. */
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

  const pathOf = (url: string) => url.slice(PUBLIC_URL.length);

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-downloads-e2e-'));
    t = await startTestApp(db, smtp, {
      SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
      SPOTLIGHT_PUBLIC_URL: `${PUBLIC_URL}/`,
      SPOTLIGHT_STORAGE_DIR: storage,
    });
    staff = await createToken(db, { staff: true });
    ({ site, manager } = await siteWithActivity(db.factory, 6));
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  });
  beforeEach(() => smtp.clear());

  it('emails a link instead of the attachment, and the link downloads that workbook without a bearer token', async () => {
    const run = await exportThrough(t);
    expect(run).toMatchObject({ status: 'sent', error: null });
    // The lock, the snapshot's statements, the unlock, the history row, plus
    // the one INSERT of the link, on the primary (see the CLI's query-count spec).
    expect(run.queries).toBe(db.dialect === 'mariadb' ? 12 : 9);

    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    expect(message.mail.attachments).toHaveLength(0);
    const url = /http:\/\/exports\.spotlight\.test\/downloads\/[A-Za-z0-9_-]{43}/.exec(
      message.mail.text ?? '',
    )?.[0];
    expect(url).toBeDefined();
    expect(message.mail.html).toContain(`href="${url}"`);
    expect(message.mail.text).toMatch(
      /too big to attach \([^)]+\)\. Download it until \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\); anyone with this link can:\n/,
    );

    const response = await request(t.http).get(pathOf(url!)).buffer(true).parse(binary).expect(200);
    expect(response.headers['content-type']).toBe(XLSX_CONTENT_TYPE);
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="user-activity-${site.domain}-all-time-${new Date().toISOString().slice(0, 10)}.xlsx"`,
    );
    const body = response.body as Buffer;
    expect(body.length).toBe(run.bytes);
    const [stored] = fs.readdirSync(storage);
    expect(fs.readFileSync(path.join(storage, stored)).equals(body)).toBe(true);
    const book = await readWorkbook(body);
    expect(book.sheetNames).toEqual(['Summary', 'Active users', 'Inactive users', 'Communities']);
    expect(book.rows('Active users').length - 1 + book.rows('Inactive users').length - 1).toBe(6);
    expect(book.rows('Active users').flat()).toContain(manager.email);
  });

  it('answers 404 for an unknown or malformed token and 410 for an expired one; the clean-up deletes expired files', async () => {
    const fresh = await exportThrough(t);
    expect(fresh.status).toBe('sent');
    const [message] = await smtp.waitFor(1);
    const freshPath = pathOf(/http:\S+\/downloads\/\S+/.exec(message.mail.text ?? '')![0]);

    // A link made eight days ago, with the server's own settings: it expired yesterday.
    const source = path.join(storage, '..', `${path.basename(storage)}-source.xlsx`);
    fs.writeFileSync(source, 'an old workbook');
    const eightDaysAgo = new Date(Date.now() - 8 * DAY_MS);
    const old = await new DownloadService(new DownloadRepository(t.knex), {
      storageDir: t.settings.core.storageDir,
      publicUrl: t.settings.core.publicUrl,
      ttlMs: t.settings.core.linkTtlMs,
      clock: () => eightDaysAgo,
    }).keep(source, { customer: site.domain, fileName: 'old.xlsx' });
    fs.rmSync(source);
    const oldPath = pathOf(old.url);
    expect(fs.existsSync(path.join(storage, old.storedName))).toBe(true);

    const expired = await request(t.http).get(oldPath).expect(410);
    expect(expired.body).toMatchObject({ statusCode: 410, error: 'DOWNLOAD_EXPIRED' });
    expect(expired.body.message).toMatch(/expired at .*; ask for the export again/);
    const unknown = await request(t.http)
      .get(`/downloads/${'A'.repeat(43)}`)
      .expect(404);
    expect(unknown.body).toMatchObject({ error: 'DOWNLOAD_NOT_FOUND' });
    await request(t.http).get('/downloads/..%2F..%2F..%2Fetc%2Fpasswd').expect(404);
    await request(t.http).get(`/downloads/${old.storedName}`).expect(404);

    const filesBefore = fs.readdirSync(storage).length;
    expect(await t.app.get(DownloadCleanupJob).purge()).toBe(1);
    expect(fs.existsSync(path.join(storage, old.storedName))).toBe(false);
    expect(fs.readdirSync(storage)).toHaveLength(filesBefore - 1);
    await request(t.http).get(oldPath).expect(404);
    await request(t.http).get(freshPath).expect(200);
    expect(await t.app.get(DownloadCleanupJob).purge()).toBe(0);
  });

  it('still attaches a workbook under the limit, and keeps nothing', async () => {
    const small = await startTestApp(db, smtp, {
      SPOTLIGHT_PUBLIC_URL: PUBLIC_URL,
      SPOTLIGHT_STORAGE_DIR: path.join(storage, 'unused'),
    });
    try {
      const run = await exportThrough(small);
      expect(run).toMatchObject({ status: 'sent', queries: db.dialect === 'mariadb' ? 11 : 8 });
      const [message] = await smtp.waitFor(1);
      expect(message.mail.attachments).toHaveLength(1);
      expect(message.mail.attachments[0].size).toBe(run.bytes);
      expect(message.mail.text).not.toContain('/downloads/');
      expect(fs.existsSync(path.join(storage, 'unused'))).toBe(false);
    } finally {
      await small.close();
    }
  });

  it('fails the run with a clear reason when a workbook is too big and no public URL is set', async () => {
    const unlinked = await startTestApp(db, smtp, {
      SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
      SPOTLIGHT_STORAGE_DIR: path.join(storage, 'unlinked'),
    });
    try {
      const run = await exportThrough(unlinked);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/above the 1\.0 KiB attachment limit, and SPOTLIGHT_PUBLIC_URL is not set/);
      expect(smtp.messages).toHaveLength(0);
      expect(fs.existsSync(path.join(storage, 'unlinked'))).toBe(false);
    } finally {
      await unlinked.close();
    }
  });
});
