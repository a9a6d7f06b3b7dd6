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
  });

  it('reads every variable', () => {
    expect(
      loadCoreSettings({
        DATABASE_URL: 'mysql://root@127.0.0.1:3306/spotlight',
        SMTP_URL: 'smtps://user:pass@mail.example.com:465',
        MAIL_FROM: 'Exports <exports@example.com>',
        SPOTLIGHT_DATA_DIR: '/srv/spotlight',
        SPOTLIGHT_MAX_ROWS_PER_SHEET: '1000',
      }),
    ).toEqual({
      databaseUrl: 'mysql://root@127.0.0.1:3306/spotlight',
      dataDir: '/srv/spotlight',
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      outboxDir: '/srv/spotlight/outbox',
      mailFrom: 'Exports <exports@example.com>',
      maxRowsPerSheet: 1000,
    });
  });

  it('names every bad variable in one line', () => {
    const load = () =>
      loadCoreSettings({
        DATABASE_URL: 'postgres://x/y',
        SMTP_URL: 'http://mail',
        SPOTLIGHT_MAX_ROWS_PER_SHEET: '0',
      });
    expect(load).toThrow(ConfigurationError);
    try {
      load();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/DATABASE_URL must be mysql:\/\//);
      expect(message).toMatch(/SMTP_URL must be smtp:\/\//);
      expect(message).toMatch(/SPOTLIGHT_MAX_ROWS_PER_SHEET/);
    }
  });
});
