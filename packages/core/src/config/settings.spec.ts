import { defaultScratchRoot } from '../scratch/scratch-space';
import path from 'node:path';
import { ConfigurationError } from '../errors';
import { loadCoreSettings, PROJECT_ROOT } from './settings';

describe('core settings', () => {
  it('defaults to the embedded SQLite file and the outbox in the data folder', () => {
    const settings = loadCoreSettings({});
    expect(settings.dataDir).toBe(path.join(PROJECT_ROOT, 'data'));
    expect(settings.databaseUrl).toBe(`sqlite://${path.join(PROJECT_ROOT, 'data', 'spotlight.sqlite')}`);
    expect(settings.outboxDir).toBe(path.join(PROJECT_ROOT, 'data', 'outbox'));
    expect(settings.smtpUrl).toBeUndefined();
    expect(settings.maxRowsPerSheet).toBe(1_048_575);
    expect(settings.maxAttachmentBytes).toBe(20 * 1024 * 1024);
    expect(settings.storageDir).toBe(path.join(PROJECT_ROOT, 'data', 'storage'));
    expect(settings.linkTtlMs).toBe(7 * 24 * 60 * 60 * 1000);
    expect(settings.publicUrl).toBeUndefined();
    expect(settings.databaseTimeouts).toEqual({ connectMs: 10_000, idleMs: 60_000 });
  });

  it('reads every variable', () => {
    expect(
      loadCoreSettings({
        DATABASE_URL: 'mysql://root@127.0.0.1:3306/spotlight',
        SMTP_URL: 'smtps://user:pass@mail.example.com:465',
        MAIL_FROM: 'Exports <exports@example.com>',
        SPOTLIGHT_DATA_DIR: '/srv/spotlight',
        SPOTLIGHT_MAX_ROWS_PER_SHEET: '1000',
        SPOTLIGHT_MAX_ATTACHMENT_BYTES: '1024',
        SPOTLIGHT_STORAGE_DIR: '/mnt/shared/exports',
        SPOTLIGHT_LINK_TTL_DAYS: '0.5',
        SPOTLIGHT_PUBLIC_URL: 'https://exports.example.com/',
        SPOTLIGHT_SCRATCH_DIR: '/var/tmp/spotlight',
        SPOTLIGHT_SMTP_CONNECTION_TIMEOUT_MS: '5000',
        SPOTLIGHT_SMTP_GREETING_TIMEOUT_MS: '6000',
        SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS: '7000',
        SPOTLIGHT_DB_CONNECT_TIMEOUT_MS: '2500',
        SPOTLIGHT_DB_IDLE_TIMEOUT_MS: '30000',
      }),
    ).toEqual({
      databaseUrl: 'mysql://root@127.0.0.1:3306/spotlight',
      dataDir: '/srv/spotlight',
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      outboxDir: '/srv/spotlight/outbox',
      mailFrom: 'Exports <exports@example.com>',
      maxRowsPerSheet: 1000,
      maxAttachmentBytes: 1024,
      storageDir: '/mnt/shared/exports',
      linkTtlMs: 12 * 60 * 60 * 1000,
      publicUrl: 'https://exports.example.com',
      scratchRoot: '/var/tmp/spotlight',
      smtpTimeouts: { connectionTimeoutMs: 5000, greetingTimeoutMs: 6000, socketTimeoutMs: 7000 },
      databaseTimeouts: { connectMs: 2500, idleMs: 30_000 },
    });
  });

  it('bounds every SMTP wait by default, and keeps scratch in a per-user folder of the temporary folder', () => {
    const settings = loadCoreSettings({});
    expect(settings.smtpTimeouts).toEqual({
      connectionTimeoutMs: 15_000,
      greetingTimeoutMs: 15_000,
      socketTimeoutMs: 60_000,
    });
    expect(settings.scratchRoot).toBe(defaultScratchRoot());
    expect(() => loadCoreSettings({ SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS: '0' })).toThrow(
      /SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS/,
    );
  });

  it.each([
    'not an address',
    'a@b.example, evil@x.example',
    'a@b.example\u2028Bcc: evil@x.example',
    'Exports <a@b.example>, <evil@x.example>',
    'Exports <>',
  ])('refuses a MAIL_FROM that is not one sender: %j', (from) => {
    expect(() => loadCoreSettings({ MAIL_FROM: from })).toThrow(
      /^Invalid configuration: MAIL_FROM must be one sender, like "Exports <exports@example\.com>" or exports@example\.com$/,
    );
  });

  it.each([
    'exports@example.com',
    'exports@localhost',
    'Exports <exports@example.com>',
    'Exports\t<exports@example.com>',
    '"Spotlight, exports" <exports@example.com>',
    '"Spotlight \\"Exports\\"" <exports@example.com>',
    'exports@example.com (Spotlight)',
  ])('accepts the MAIL_FROM %j', (from) => {
    expect(loadCoreSettings({ MAIL_FROM: from }).mailFrom).toBe(from);
  });

  it.each(['a\r\nBcc: x@y', 'Exports <e@example.com>\nX-Spam: no'])('refuses MAIL_FROM %j', (from) => {
    expect(() => loadCoreSettings({ MAIL_FROM: from })).toThrow(
      /^Invalid configuration: MAIL_FROM must be one line, like "Exports <exports@example.com>": a line break would add mail headers$/,
    );
  });

  it.each([
    'smtp://mail.example.com:99999',
    'smtp://mail.example.com:0',
    'smtps://user:secret@mail.example.com:65536',
    'smtp://mail.example.com:25x',
    'smtp://[::1]:70000',
  ])('refuses SMTP_URL %s at start, naming it, instead of failing at the first send', (url) => {
    expect(() => loadCoreSettings({ SMTP_URL: url })).toThrow(
      /^Invalid configuration: SMTP_URL must have a port from 1 to 65535, like smtp:\/\/user:password@host:587$/,
    );
  });

  it.each([
    'smtp://mail.example.com',
    'smtp://mail.example.com:1',
    'smtps://user:p%40ss@mail.example.com:65535',
    'smtp://user:p@ss@mail.example.com:587',
    'smtp://[::1]:2525',
    'smtp://mail.example.com:587/?tls.rejectUnauthorized=false',
  ])('accepts SMTP_URL %s', (url) => {
    expect(loadCoreSettings({ SMTP_URL: url }).smtpUrl).toBe(url);
  });

  it('names every bad variable in one line', () => {
    const load = () =>
      loadCoreSettings({
        DATABASE_URL: 'postgres://x/y',
        SMTP_URL: 'http://mail',
        SPOTLIGHT_MAX_ROWS_PER_SHEET: '0',
        SPOTLIGHT_MAX_ATTACHMENT_BYTES: '20MB',
        SPOTLIGHT_LINK_TTL_DAYS: '0',
        SPOTLIGHT_PUBLIC_URL: 'exports.example.com',
        SPOTLIGHT_DB_CONNECT_TIMEOUT_MS: '0',
        SPOTLIGHT_DB_IDLE_TIMEOUT_MS: '1 minute',
      });
    expect(load).toThrow(ConfigurationError);
    expect.assertions(10);
    try {
      load();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/DATABASE_URL must be mysql:\/\//);
      expect(message).toMatch(/SMTP_URL must be smtp:\/\//);
      expect(message).toMatch(/SPOTLIGHT_MAX_ROWS_PER_SHEET/);
      expect(message).toMatch(/SPOTLIGHT_MAX_ATTACHMENT_BYTES/);
      expect(message).toMatch(/SPOTLIGHT_LINK_TTL_DAYS/);
      expect(message).toMatch(/SPOTLIGHT_PUBLIC_URL must be the server's base URL/);
      expect(message).toMatch(/SPOTLIGHT_DB_CONNECT_TIMEOUT_MS/);
      expect(message).toMatch(/SPOTLIGHT_DB_IDLE_TIMEOUT_MS/);
    }
  });
});
