import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRODUCT_MIGRATIONS_TABLE, createDatabase, migrateLatest } from '@spotlight/core';
import { runServer } from './__fixtures__/server-process';

describe('server start-up', () => {
  it.each([
    [{ PORT: 'eighty' }, /^spotlight-server: Invalid configuration: PORT .*number/],
    [
      { DATABASE_URL: 'postgres://db/spotlight' },
      /^spotlight-server: Invalid configuration: DATABASE_URL must be mysql:\/\//,
    ],
    [
      { DATABASE_READ_URL: 'replica' },
      /^spotlight-server: Invalid configuration: DATABASE_READ_URL must be mysql:\/\//,
    ],
    [
      { SMTP_URL: 'mail.example.com' },
      /^spotlight-server: Invalid configuration: SMTP_URL must be smtp:\/\//,
    ],
    [{ SPOTLIGHT_BACKGROUND: 'maybe' }, /^spotlight-server: Invalid configuration: SPOTLIGHT_BACKGROUND /],
    [{ MAIL_FROM: 'a\r\nBcc: x@y' }, /^spotlight-server: Invalid configuration: MAIL_FROM must be one line/],
    [
      { SPOTLIGHT_RATE_LIMIT_PER_TOKEN: '0' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_RATE_LIMIT_PER_TOKEN /,
    ],
    [
      { SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES: 'hourly' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES /,
    ],
    [
      { SPOTLIGHT_LOCK_WAIT_MAX_MINUTES: '0' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_LOCK_WAIT_MAX_MINUTES /,
    ],
    [
      { SPOTLIGHT_LOCK_WAIT_MAX_MINUTES: 'forever' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_LOCK_WAIT_MAX_MINUTES /,
    ],
    [
      { SPOTLIGHT_ALERT_EMAIL: 'support@example.com, on call' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_ALERT_EMAIL has "on call", which is not an email address/,
    ],
    [
      { SPOTLIGHT_ALERT_EMAIL: 'support@example.com\r\nBcc: x@example.com' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_ALERT_EMAIL has .*not an email address/,
    ],
    [
      { SPOTLIGHT_ALERT_WEBHOOK_URL: 'hooks.example.com/spotlight' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_ALERT_WEBHOOK_URL must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      { SPOTLIGHT_SCHEDULE_MAX_FAILURES: '0' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_SCHEDULE_MAX_FAILURES /,
    ],
    [
      { SPOTLIGHT_HISTORY_DAYS: 'forever' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_HISTORY_DAYS /,
    ],
    [
      { SPOTLIGHT_TRUST_PROXY: '10.0.0.0/33' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_TRUST_PROXY has "10\.0\.0\.0\/33"; give false, a number of proxy hops/,
    ],
    [
      { SPOTLIGHT_TRUST_PROXY: 'true' },
      /^spotlight-server: Invalid configuration: SPOTLIGHT_TRUST_PROXY has "true"/,
    ],
  ])('fails fast with one clear line for %j', async (env, message) => {
    const { code, stderr } = await runServer({ SPOTLIGHT_DATA_DIR: os.tmpdir(), ...env });
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('tells to migrate when the database is one migration behind, naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-server-'));
    const url = `sqlite://${path.join(dir, 'behind.sqlite')}`;
    const db = createDatabase(url);
    try {
      await migrateLatest(db, { spotlightSchema: 'always' });
      await db(PRODUCT_MIGRATIONS_TABLE).where({ name: 'spotlight_export_0006_claim_index' }).delete();
      await db.destroy();
      const { code, stderr } = await runServer({ DATABASE_URL: url, PORT: '0' });
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(
        /^spotlight-server: The database at sqlite:\/\/.* has 1 export migration to run \(spotlight_export_0006_claim_index\); run "spotlight db migrate" first\.$/,
      );
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells to migrate when the database has no export tables', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-server-'));
    try {
      // An empty file is an empty SQLite database.
      fs.writeFileSync(path.join(dir, 'empty.sqlite'), '');
      const { code, stderr } = await runServer({
        DATABASE_URL: `sqlite://${path.join(dir, 'empty.sqlite')}`,
        PORT: '0',
      });
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(
        /^spotlight-server: The database at sqlite:\/\/.* has no export tables; run "spotlight db migrate" first\.$/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a SQLite file that does not exist, and creates neither it nor its folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-server-'));
    const url = `sqlite://${path.join(dir, 'typo', 'spotlight.sqlite')}`;
    try {
      const { code, stderr } = await runServer({ DATABASE_URL: url, PORT: '0' });
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `spotlight-server: The database at ${url} does not exist; check DATABASE_URL, or run "spotlight db migrate" to create it.`,
      );
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
