import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import { bearer, createToken, startTestApp } from '../__fixtures__/test-app';
import { siteWithActivity } from '../__fixtures__/activity';
import { ExportRunner } from '../runs/export-runner.service';

/**
 * Workbooks behind download links hold customers' personal data: whatever
 * the umask, the storage folder is 0700 and each workbook in it 0600.
 */

const PUBLIC_URL = 'http://exports.spotlight.test';
const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
/** Giving a folder to another user takes root (CI runs as root). */
const rootOnly = asRoot ? it : it.skip;
const NOBODY = 65534;

describeEachDatabase('the storage of download links is private', (db) => {
  let smtp: SmtpCapture;
  let dir: string;
  let staff: string;
  let site: SiteRow;
  let manager: UserRow;
  let umask: number;
  const linkMode = (storage: string) => ({
    SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
    SPOTLIGHT_PUBLIC_URL: PUBLIC_URL,
    SPOTLIGHT_STORAGE_DIR: storage,
  });

  beforeAll(async () => {
    // The usual umask, which leaves new files readable by everyone.
    umask = process.umask(0o022);
    smtp = await SmtpCapture.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-private-storage-'));
    staff = await createToken(db, { staff: true });
    ({ site, manager } = await siteWithActivity(db.factory, 6));
  });
  afterAll(async () => {
    process.umask(umask);
    await smtp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes the storage folder 0700 and keeps each linked workbook 0600', async () => {
    const storage = path.join(dir, 'new', 'storage');
    const t = await startTestApp(db, smtp, linkMode(storage));
    try {
      const queued = await request(t.http)
        .post('/exports')
        .set(bearer(staff))
        .send({ customer: site.domain, recipient: manager.email })
        .expect(202);
      expect(await t.app.get(ExportRunner).runNext()).toMatchObject({
        id: queued.body.id,
        status: 'sent',
        delivery: 'link',
      });
    } finally {
      await t.close();
    }
    const files = fs.readdirSync(storage);
    expect(files).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.xlsx$/)]);
    expect(modeOf(path.join(dir, 'new'))).toBe('700');
    expect(modeOf(storage)).toBe('700');
    expect(modeOf(path.join(storage, files[0]))).toBe('600');
  });

  it('makes a storage folder of ours that others can read private when the server starts', async () => {
    const storage = path.join(dir, 'open-storage');
    fs.mkdirSync(storage);
    fs.chmodSync(storage, 0o755);
    const t = await startTestApp(db, smtp, linkMode(storage));
    await t.close();
    expect(modeOf(storage)).toBe('700');
  });

  rootOnly(
    'refuses to start on a storage folder of another user, in one line naming the setting',
    async () => {
      const storage = path.join(dir, 'their-storage');
      fs.mkdirSync(storage);
      fs.chmodSync(storage, 0o777);
      fs.chownSync(storage, NOBODY, NOBODY);
      await expect(startTestApp(db, smtp, linkMode(storage))).rejects.toThrow(
        `SPOTLIGHT_STORAGE_DIR ${storage} belongs to another user, who could read customers' data in it; set SPOTLIGHT_STORAGE_DIR to a folder of your own.`,
      );
      expect(modeOf(storage)).toBe('777');
    },
  );
});
