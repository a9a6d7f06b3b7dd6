import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertNumQueries, describeEachDatabase, type UserRow } from '../testing';
import { readWorkbook, SmtpCapture } from '@spotlight/testing';
import { ActivityRepository } from '../activity/activity.repository';
import { DOWNLOAD_TABLE } from '../db/models/tables';
import { DownloadRepository } from '../downloads/download.repository';
import { DownloadService } from '../downloads/download.service';
import {
  AttachmentTooLargeError,
  DownloadExpiredError,
  DownloadNotFoundError,
  MailDeliveryError,
} from '../errors';
import { SmtpMailRepository } from '../mail/mail.repository';
import { ExportService } from './export.service';

const GENERATED_AT = new Date('2026-11-25T08:30:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const PUBLIC_URL = 'https://exports.example.test';

describeEachDatabase('export service, workbooks too big to attach', (db) => {
  let smtp: SmtpCapture;
  let tmp: string;
  let storage: string;
  let manager: UserRow;
  const customer = 'bigfiles.example.com';
  // Snapshot queries (BEGIN, site and users, activity, COMMIT; MySQL adds SET TRANSACTION READ ONLY).
  const snapshotQueries = () => (db.dialect === 'mariadb' ? 6 : 5);

  function service(options: {
    maxAttachmentBytes?: number;
    publicUrl?: string | null;
    smtpUrl?: string;
    now?: Date;
  }) {
    const mail = new SmtpMailRepository(options.smtpUrl ?? smtp.url);
    const downloads = new DownloadService(new DownloadRepository(db.knex), {
      storageDir: storage,
      publicUrl: options.publicUrl === null ? undefined : (options.publicUrl ?? PUBLIC_URL),
      ttlMs: 7 * DAY_MS,
      clock: () => options.now ?? GENERATED_AT,
    });
    const exports = new ExportService(new ActivityRepository(db.knex), mail, {
      mailFrom: 'Spotlight exports <exports@spotlight.test>',
      databaseLabel: `${db.dialect} test database`,
      tmpDir: tmp,
      clock: () => GENERATED_AT,
      maxAttachmentBytes: options.maxAttachmentBytes,
      downloads,
    });
    return { exports, downloads, mail };
  }

  const linkRows = () => db.knex(DOWNLOAD_TABLE).where({ customer });
  const tokenOf = (url: string) => url.slice(`${PUBLIC_URL}/downloads/`.length);

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    const site = await db.factory.site({ domain: customer, name: 'Big Files' });
    manager = await db.factory.manager({ site, email: `manager@${customer}` });
    for (let i = 0; i < 5; i += 1) await db.factory.user({ site, email: `user${i}@${customer}` });
  });
  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-link-spec-'));
    storage = path.join(tmp, 'storage');
    smtp.clear();
    await linkRows().delete();
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterAll(() => smtp.stop());

  it('mails a link instead of the workbook above the limit, with one more query', async () => {
    const { exports, downloads, mail } = service({ maxAttachmentBytes: 1024 });
    const summary = await assertNumQueries(db.knex, snapshotQueries() + 1, () =>
      exports.exportToEmail({ customer, recipient: manager.email }),
    );
    mail.close();
    const expiresAt = new Date(GENERATED_AT.getTime() + 7 * DAY_MS).toISOString();
    expect(summary).toMatchObject({
      sent: true,
      delivery: 'link',
      downloadUrl: expect.stringMatching(/^https:\/\/exports\.example\.test\/downloads\/[A-Za-z0-9_-]{43}$/),
      expiresAt,
      queries: snapshotQueries() + 1,
    });
    expect(summary.bytes).toBeGreaterThan(1024);

    const [message] = await smtp.waitFor(1);
    expect(message.envelope.to).toEqual([manager.email]);
    expect(message.mail.attachments).toHaveLength(0);
    expect(message.mail.text).toContain(summary.downloadUrl);
    // Shown in words in the export's zone (UTC here), to the minute.
    expect(message.mail.text).toContain(
      `Download it until ${expiresAt.slice(0, 10)} ${expiresAt.slice(11, 16)} (UTC); anyone with this link can:\n${summary.downloadUrl}`,
    );
    expect(message.mail.html).toContain(`href="${summary.downloadUrl}"`);

    // The token is not stored anywhere: neither in the row nor in the file's name.
    const token = tokenOf(summary.downloadUrl!);
    const [row] = await linkRows();
    expect(row.token_hash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    expect(fs.readdirSync(storage)).toEqual([`${row.token_hash}.xlsx`]);
    expect(JSON.stringify(row)).not.toContain(token);

    const file = await downloads.open(token);
    expect(file).toMatchObject({ fileName: summary.attachmentName, bytes: summary.bytes });
    const book = await readWorkbook(file.path);
    expect(book.sheetNames).toEqual(summary.sheets);
    expect(book.rows('Inactive users')).toHaveLength(summary.inactive + 1);
  });

  it('still attaches a workbook at or under the limit, with the same query count', async () => {
    const { exports, mail } = service({ maxAttachmentBytes: 20 * 1024 * 1024 });
    const summary = await assertNumQueries(db.knex, snapshotQueries(), () =>
      exports.exportToEmail({ customer, recipient: manager.email }),
    );
    mail.close();
    expect(summary).toMatchObject({ delivery: 'attachment', downloadUrl: null, expiresAt: null });
    const [message] = await smtp.waitFor(1);
    expect(message.mail.attachments).toHaveLength(1);
    expect(message.mail.attachments[0].size).toBe(summary.bytes);
    expect(await linkRows()).toHaveLength(0);
    expect(fs.existsSync(storage)).toBe(false);
  });

  it('refuses a workbook too big to attach when there is no public URL: nothing sent, nothing kept', async () => {
    const { exports, mail } = service({ maxAttachmentBytes: 1024, publicUrl: null });
    const failure = exports.exportToEmail(
      { customer, recipient: manager.email },
      { saveTo: path.join(tmp, 'kept.xlsx') },
    );
    await expect(failure).rejects.toThrow(AttachmentTooLargeError);
    await expect(failure).rejects.toThrow(
      /above the 1\.0 KiB attachment limit, and SPOTLIGHT_PUBLIC_URL is not set/,
    );
    mail.close();
    expect(smtp.messages).toHaveLength(0);
    expect(await linkRows()).toHaveLength(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('withdraws the link when the email cannot be sent', async () => {
    const refusing = await SmtpCapture.start({ rejectWith: 'Mailbox unavailable' });
    try {
      const { exports, mail } = service({ maxAttachmentBytes: 1024, smtpUrl: refusing.url });
      await expect(exports.exportToEmail({ customer, recipient: manager.email })).rejects.toThrow(
        MailDeliveryError,
      );
      mail.close();
      expect(await linkRows()).toHaveLength(0);
      expect(fs.readdirSync(storage)).toEqual([]);
    } finally {
      await refusing.stop();
    }
  });

  it('refuses expired, unknown and malformed tokens, and the clean-up deletes only expired links', async () => {
    const { exports, mail } = service({ maxAttachmentBytes: 1024 });
    const old = await exports.exportToEmail({ customer, recipient: manager.email });
    const fresh = await service({
      maxAttachmentBytes: 1024,
      now: new Date(GENERATED_AT.getTime() + 6 * DAY_MS),
    }).exports.exportToEmail({ customer, recipient: manager.email });
    mail.close();
    expect(fs.readdirSync(storage)).toHaveLength(2);

    // Eight days later: the first link expired a day ago, the second has five days left.
    const later = service({ now: new Date(GENERATED_AT.getTime() + 8 * DAY_MS) }).downloads;
    await expect(later.open(tokenOf(old.downloadUrl!))).rejects.toThrow(DownloadExpiredError);
    await expect(later.open(tokenOf(fresh.downloadUrl!))).resolves.toMatchObject({ bytes: fresh.bytes });
    await expect(later.open(crypto.randomBytes(32).toString('base64url'))).rejects.toThrow(
      DownloadNotFoundError,
    );
    await expect(later.open('../../../../etc/passwd')).rejects.toThrow(DownloadNotFoundError);

    expect(await later.purgeExpired()).toBe(1);
    expect(await linkRows()).toHaveLength(1);
    expect(fs.readdirSync(storage)).toHaveLength(1);
    await expect(later.open(tokenOf(old.downloadUrl!))).rejects.toThrow(DownloadNotFoundError);
    await expect(later.open(tokenOf(fresh.downloadUrl!))).resolves.toMatchObject({ bytes: fresh.bytes });
    expect(await later.purgeExpired()).toBe(0);
  });
});
