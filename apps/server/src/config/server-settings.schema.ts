// The server's own settings: each with its rule, default and one line of meaning
// (the meaning is what .env.example and the README print).
import net from 'node:net';
import { z } from 'zod';
import {
  choiceSetting,
  integerSetting as integer,
  numberSetting,
  optionalText,
  databaseUrlSetting,
  parseRecipient,
} from '@spotlight/core';

/** Support's addresses for failure notices: one or more, comma-separated, each a plain address. */
const alertEmails = optionalText.transform((value, context) => {
  const addresses = (value ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  for (const address of addresses) {
    try {
      parseRecipient(address);
    } catch {
      context.addIssue({
        code: 'custom',
        message: `has ${JSON.stringify(address)}, which is not an email address like support@example.com; separate several with commas`,
      });
    }
  }
  return addresses;
});

/** An address or a CIDR range, or a name proxy-addr knows for a group of them. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  const version = net.isIP(address);
  if (!version || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

/** Which proxies may tell the client's address (X-Forwarded-For): none, the nearest N hops, or these addresses. */
const trustProxy = optionalText.transform((value, context): false | number | string[] => {
  if (!value || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isProxyAddress(entry));
  if (bad === undefined) return entries;
  context.addIssue({
    code: 'custom',
    message: `has ${JSON.stringify(bad)}; give false, a number of proxy hops, or comma-separated proxy addresses or CIDR ranges like 10.0.0.0/8,::1`,
  });
  return false;
});

const webhookUrl = optionalText.refine((url) => !url || /^https?:\/\/[^/\s]+\S*$/i.test(url), {
  message: 'must be an http:// or https:// URL',
});

const alertSmtpUrl = optionalText.refine((url) => !url || /^smtps?:\/\/[^/]+/i.test(url), {
  message: 'must be smtp://user:password@host:port or smtps://...',
});

const redisUrl = optionalText.refine((url) => !url || /^rediss?:\/\/[^/\s]+(\/\d*)?$/i.test(url), {
  message: 'must be redis://[user:password@]host:port[/db] or rediss://...',
});

const signingSecret = optionalText.refine((secret) => !secret || secret.length >= 32, {
  message: 'must be at least 32 characters (e.g. from `openssl rand -base64 32`)',
});

export const serverSettingsSchema = z.object({
  PORT: integer(3000, 0, 65535).meta({ description: 'HTTP port' }),
  HOST: optionalText.meta({
    description: 'Interface to listen on (0.0.0.0 for all)',
    defaultText: '127.0.0.1',
  }),
  DATABASE_READ_URL: databaseUrlSetting.meta({
    description: 'Replica that exports read from; everything else is written to DATABASE_URL',
    defaultText: 'the primary, DATABASE_URL',
  }),
  SPOTLIGHT_INSTANCE_ID: optionalText.meta({
    description: 'Name recorded on the runs this instance claims',
    defaultText: '<hostname>-<pid>',
  }),
  SPOTLIGHT_REDIS_URL: redisUrl.meta({
    description:
      'redis:// server where all instances count rate limits and download caps together; unset: each instance counts alone',
    defaultText: 'unset',
  }),
  SPOTLIGHT_REDIS_KEY_PREFIX: optionalText.meta({
    description: 'Prefix of every Redis key this product writes',
    defaultText: 'spotlight:',
  }),
  SPOTLIGHT_REDIS_TIMEOUT_MS: integer(500, 10, 10_000).meta({
    description: 'The longest a limit check waits for Redis before this instance counts alone',
  }),
  SPOTLIGHT_BACKGROUND: choiceSetting(['on', 'off'], 'on').meta({
    description: 'off: this instance serves the API only (no scheduler, no worker)',
  }),
  SPOTLIGHT_SCHEDULER_TICK_MS: integer(30_000, 50, 3_600_000).meta({
    description: 'How often due schedules are turned into runs',
  }),
  SPOTLIGHT_WORKER_POLL_MS: integer(2_000, 50, 3_600_000).meta({
    description: 'How often the worker looks for queued runs',
  }),
  SPOTLIGHT_WORKER_CONCURRENCY: integer(1, 1, 16).meta({
    description: 'Exports this instance runs at the same time',
  }),
  SPOTLIGHT_MAX_CONCURRENT_EXPORTS: integer(0, 0, 1_000).meta({
    description: 'Exports reading the read database at once, all instances together; 0: no cap',
  }),
  SPOTLIGHT_SCHEDULE_BATCH_SIZE: integer(50, 1, 1_000).meta({
    description: 'Due schedules one instance plans in one transaction',
  }),
  SPOTLIGHT_SCHEDULE_JITTER_SECONDS: integer(0, 0, 86_400).meta({
    description: 'A scheduled run becomes claimable at its due time plus a random wait below this',
  }),
  SPOTLIGHT_SMTP_MAX_CONNECTIONS: integer(5, 1, 100).meta({
    description: 'SMTP connections the server keeps open and reuses',
  }),
  SPOTLIGHT_RUN_LEASE_MS: integer(300_000, 1_000, 86_400_000).meta({
    description: 'How long a claim on a run lasts without renewal before another instance may take it',
  }),
  SPOTLIGHT_MAIL_MAX_ATTEMPTS: integer(5, 1, 20).meta({
    description: 'Delivery attempts before a run fails',
  }),
  SPOTLIGHT_MAIL_RETRY_BASE_MS: integer(30_000, 10, 3_600_000).meta({
    description: 'Wait after the first failed delivery; it doubles each time',
  }),
  SPOTLIGHT_LOCK_WAIT_MAX_MINUTES: numberSetting(30, 0.01, 10_080).meta({
    description:
      'How long a run may wait for another export of its customer before it fails (fractions allowed)',
  }),
  SPOTLIGHT_SHUTDOWN_GRACE_MS: integer(30_000, 0, 600_000).meta({
    description: 'How long shutdown waits for exports in flight',
  }),
  SPOTLIGHT_DOWNLOAD_CLEANUP_MS: integer(3_600_000, 1_000, 86_400_000).meta({
    description: 'How often expired download links and their files are deleted',
  }),
  SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES: integer(60, 1, 10_080).meta({
    description: 'The shortest time allowed between two due times of one schedule',
  }),
  SPOTLIGHT_RATE_LIMIT_PER_TOKEN: integer(60, 1, 1_000_000).meta({
    description: 'Requests one token may make in a minute (429 after that)',
  }),
  SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS: integer(10, 1, 1_000_000).meta({
    description: 'Failed authentications one client address may make in a minute (429 after that)',
  }),
  SPOTLIGHT_MAX_DOWNLOADS_PER_CUSTOMER: integer(2, 1, 100).meta({
    description: 'Streamed downloads of one customer served at once; more get 429',
  }),
  SPOTLIGHT_MAX_DOWNLOADS: integer(4, 1, 1_000).meta({
    description: 'Streamed downloads served at once by this instance; more get 429',
  }),
  SPOTLIGHT_DOWNLOAD_STALL_MS: integer(30_000, 100, 3_600_000).meta({
    description: 'A download whose client reads nothing for this long is ended',
  }),
  SPOTLIGHT_ALERT_EMAIL: alertEmails.meta({
    description: "Support's addresses, comma-separated, told when an export fails for good",
    defaultText: 'unset',
  }),
  SPOTLIGHT_ALERT_WEBHOOK_URL: webhookUrl.meta({
    description: 'http(s):// URL that gets a JSON export.failed event when an export fails for good',
    defaultText: 'unset',
  }),
  SPOTLIGHT_ALERT_TIMEOUT_MS: integer(5_000, 50, 60_000).meta({
    description: 'The longest wait for the notice email, and for each try at the webhook',
  }),
  SPOTLIGHT_ALERT_WEBHOOK_ATTEMPTS: integer(3, 1, 10).meta({
    description: 'Tries at the webhook before the alert is recorded as failed',
  }),
  SPOTLIGHT_ALERT_SMTP_URL: alertSmtpUrl.meta({
    description: 'smtp(s):// server that failure notices go through',
    defaultText: "the exports' SMTP_URL",
  }),
  SPOTLIGHT_ALERT_RETRY_BASE_MS: integer(60_000, 10, 3_600_000).meta({
    description: 'The wait before retrying an undelivered alert; doubles after each failure, at most an hour',
  }),
  SPOTLIGHT_SCHEDULE_MAX_FAILURES: integer(3, 1, 100).meta({
    description: 'Due times of one schedule that may fail in a row before it is paused',
  }),
  SPOTLIGHT_HISTORY_DAYS: integer(400, 1, 36_500).meta({
    description: 'Runs and audit entries older than this many days are deleted',
  }),
  SPOTLIGHT_HISTORY_CLEANUP_MS: integer(3_600_000, 1_000, 86_400_000).meta({
    description: 'How often that history is deleted',
  }),
  SPOTLIGHT_PROBE_TIMEOUT_MS: integer(2_000, 50, 60_000).meta({
    description: 'The longest /health/ready and a /metrics scrape wait for the database',
  }),
  SPOTLIGHT_SCHEDULER_STALE_MS: integer(0, 0, 86_400_000).meta({
    description:
      'A scheduler with no finished tick for this long makes /health/ready 503; 0: three ticks, at least 60000',
  }),
  SPOTLIGHT_METRICS_TOKEN: optionalText.meta({
    description: 'When set, /metrics needs Authorization: Bearer <this>',
    defaultText: 'unset',
  }),
  SPOTLIGHT_SIGNING_SECRET: signingSecret.meta({
    description:
      'Signs the unsubscribe links of scheduled emails: at least 32 characters, the same on every instance',
    defaultText: 'a secret the server makes once and keeps in the database',
  }),
  SPOTLIGHT_TRUST_PROXY: trustProxy.meta({
    description:
      'Proxies trusted to name the client in X-Forwarded-For, for per-address limits: false, a hop count, or addresses/CIDRs like 10.0.0.1,10.1.0.0/16',
    defaultText: 'false',
  }),
  SPOTLIGHT_CONSOLE_DIR: optionalText.meta({
    description: 'The built admin console served at /',
    defaultText: 'apps/web/dist beside the server',
  }),
  SPOTLIGHT_LOG_LEVEL: choiceSetting(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'info',
  ).meta({
    description: 'The least severe log lines written: fatal, error, warn, info, debug, trace or silent',
  }),
});
