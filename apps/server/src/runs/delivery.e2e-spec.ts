import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp, type TestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';
import { ExportRunner } from './export-runner.service';

const DAY = 86_400_000;

describeEachDatabase('how a sent run was delivered', (db) => {
  let smtp: SmtpCapture;
  let storage: string;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-delivery-e2e-'));
    staff = await createToken(db, { staff: true });
    ({ site, manager } = await siteWithActivity(db.factory, 3));
  });
  afterAll(async () => {
    await smtp.stop();
    fs.rmSync(storage, { recursive: true, force: true });
  });
  beforeEach(() => smtp.clear());

  async function sendThrough(t: TestApp, since: string) {
    const queued = await request(t.http)
      .post('/exports')
      .set(bearer(staff))
      .send({ customer: site.domain, recipient: manager.email, since })
      .expect(202);
    const run = await t.app.get(ExportRunner).runNext();
    expect(run).toMatchObject({ id: queued.body.id, status: 'sent' });
    const shown = await request(t.http).get(`/exports/${queued.body.id}`).set(bearer(staff)).expect(200);
    const row = await db.knex('spotlight_export_run').where({ id: queued.body.id }).first();
    return { shown: shown.body, row };
  }

  it('records and shows an attachment for a workbook under the limit', async () => {
    const t = await startTestApp(db, smtp);
    try {
      const { shown, row } = await sendThrough(t, '2026-01-01');
      expect(shown).toMatchObject({
        status: 'sent',
        source: 'api',
        delivery: 'attachment',
        linkExpiresAt: null,
      });
      expect(row).toMatchObject({ delivery: 'attachment', link_expires_at: null });
      const [message] = await smtp.waitFor(1);
      expect(message.mail.attachments).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('records and shows a link, with its expiry, for a workbook over SPOTLIGHT_MAX_ATTACHMENT_BYTES', async () => {
    const t = await startTestApp(db, smtp, {
      SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
      SPOTLIGHT_PUBLIC_URL: 'http://exports.spotlight.test',
      SPOTLIGHT_STORAGE_DIR: storage,
    });
    try {
      const before = Date.now();
      const { shown, row } = await sendThrough(t, '2026-02-01');
      expect(shown).toMatchObject({ status: 'sent', source: 'api', delivery: 'link' });
      const expires = new Date(shown.linkExpiresAt).getTime();
      expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY - 1_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY + 1_000);
      expect(row.delivery).toBe('link');
      expect(new Date(row.link_expires_at).getTime()).toBe(expires);
      const [message] = await smtp.waitFor(1);
      expect(message.mail.attachments).toHaveLength(0);
      expect(message.mail.text).toContain('http://exports.spotlight.test/downloads/');
    } finally {
      await t.close();
    }
  });
});
