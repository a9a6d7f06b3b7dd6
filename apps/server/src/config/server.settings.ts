import os from 'node:os';
import {
  ConfigurationError,
  describeIssues,
  loadCoreSettings,
  maskUrl,
  type CoreSettings,
} from '@spotlight/core';
import { serverSettingsSchema } from './server-settings.schema';

export { serverSettingsSchema };

export interface ServerSettings {
  core: CoreSettings;
  port: number;
  host: string;
  /** Where exports read from; the primary when no replica is configured. */
  readDatabaseUrl: string;
  instanceId: string;
  /** Whether this instance runs the scheduler and the export worker. */
  background: boolean;
  schedulerTickMs: number;
  workerPollMs: number;
  /** Exports this instance runs at the same time. */
  workerConcurrency: number;
  /** Exports reading the read database at the same time, all instances together; 0: no such cap. */
  maxConcurrentExports: number;
  /** Due schedules one instance plans in one transaction. */
  scheduleBatchSize: number;
  /** A scheduled run is claimable at its due time plus a random wait below this; 0: at once. */
  scheduleJitterMs: number;
  /** SMTP connections the worker's mail pool keeps open at most. */
  smtpMaxConnections: number;
  /** How long a claimed run stays this instance's without a heartbeat. */
  runLeaseMs: number;
  mailMaxAttempts: number;
  mailRetryBaseMs: number;
  /** How long a run may wait for another export of its customer, from when it became due, before it fails. */
  lockWaitMaxMs: number;
  shutdownGraceMs: number;
  /** How often expired download links and their files are deleted. */
  downloadCleanupMs: number;
  /** The shortest time allowed between two due times of one schedule. */
  scheduleMinIntervalMinutes: number;
  /** Requests one token may make in a minute (on this instance, or on all of them with Redis). */
  rateLimitPerToken: number;
  /** Failed authentications one client address may make in a minute (on this instance, or on all with Redis). */
  authFailuresPerAddress: number;
  /** Streamed downloads of one customer served at once; more get 429. */
  maxDownloadsPerCustomer: number;
  /** Streamed downloads served at once in all; more get 429. */
  maxDownloads: number;
  /** A download whose client reads nothing for this long is ended. */
  downloadStallMs: number;
  /**
   * Where the rate limits and download caps are counted for all instances
   * together; unset: each instance counts alone. Redis unreachable: each
   * instance counts alone until it answers again.
   */
  redis?: {
    url: string;
    /** Starts every key, so that several deployments (or tests) can share one Redis. */
    keyPrefix: string;
    /** The longest a request waits for Redis before it is counted by this instance alone. */
    timeoutMs: number;
  };
  /** Who is told when a run finally fails: support's addresses, a webhook, both or neither. */
  alerts: {
    emails: string[];
    webhookUrl?: string;
    /** The longest wait for the notice email, and for each try at the webhook. */
    timeoutMs: number;
    webhookAttempts: number;
    /** Notices go through this SMTP server; through the exports' mail when unset. */
    smtpUrl?: string;
    /** The wait before retrying an undelivered notice; doubles after each failure, up to an hour. */
    retryBaseMs: number;
  };
  /** A schedule whose due times fail this many times in a row is paused. */
  scheduleMaxFailures: number;
  /** Finished runs and audit rows older than this many days are deleted. */
  historyDays: number;
  /** How often old history is deleted. */
  historyCleanupMs: number;
  /** The longest readiness and a metrics scrape wait for the database. */
  probeTimeoutMs: number;
  /** A scheduler whose last finished tick is older than this makes the instance not ready. */
  schedulerStaleMs: number;
  /** When set, /metrics needs `Authorization: Bearer <it>`. */
  metricsToken?: string;
  /** Signs unsubscribe links; when unset, a secret kept in the database (made once) does. */
  signingSecret?: string;
  /** The least severe log lines written (JSON, one per line, on stdout). */
  logLevel: LogLevel;
  /** Express's `trust proxy`: false (the TCP peer is the client), the nearest N hops, or these proxies. */
  trustProxy: false | number | string[];
  /** The built admin console (apps/web/dist) served at `/`; the one beside the server by default. */
  consoleDir?: string;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Reads and validates the server's whole environment once; throws a one-line ConfigurationError. */
export function loadServerSettings(env: Record<string, string | undefined>): ServerSettings {
  const core = loadCoreSettings(env);
  const parsed = serverSettingsSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  const values = parsed.data;
  return {
    core,
    port: values.PORT,
    host: values.HOST ?? '127.0.0.1',
    readDatabaseUrl: values.DATABASE_READ_URL ?? core.databaseUrl,
    instanceId: (values.SPOTLIGHT_INSTANCE_ID ?? `${os.hostname()}-${process.pid}`).slice(0, 100),
    background: values.SPOTLIGHT_BACKGROUND === 'on',
    schedulerTickMs: values.SPOTLIGHT_SCHEDULER_TICK_MS,
    workerPollMs: values.SPOTLIGHT_WORKER_POLL_MS,
    workerConcurrency: values.SPOTLIGHT_WORKER_CONCURRENCY,
    maxConcurrentExports: values.SPOTLIGHT_MAX_CONCURRENT_EXPORTS,
    scheduleBatchSize: values.SPOTLIGHT_SCHEDULE_BATCH_SIZE,
    scheduleJitterMs: values.SPOTLIGHT_SCHEDULE_JITTER_SECONDS * 1_000,
    smtpMaxConnections: values.SPOTLIGHT_SMTP_MAX_CONNECTIONS,
    runLeaseMs: values.SPOTLIGHT_RUN_LEASE_MS,
    mailMaxAttempts: values.SPOTLIGHT_MAIL_MAX_ATTEMPTS,
    mailRetryBaseMs: values.SPOTLIGHT_MAIL_RETRY_BASE_MS,
    lockWaitMaxMs: Math.round(values.SPOTLIGHT_LOCK_WAIT_MAX_MINUTES * 60_000),
    shutdownGraceMs: values.SPOTLIGHT_SHUTDOWN_GRACE_MS,
    downloadCleanupMs: values.SPOTLIGHT_DOWNLOAD_CLEANUP_MS,
    scheduleMinIntervalMinutes: values.SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES,
    rateLimitPerToken: values.SPOTLIGHT_RATE_LIMIT_PER_TOKEN,
    authFailuresPerAddress: values.SPOTLIGHT_AUTH_FAILURES_PER_ADDRESS,
    maxDownloadsPerCustomer: values.SPOTLIGHT_MAX_DOWNLOADS_PER_CUSTOMER,
    maxDownloads: values.SPOTLIGHT_MAX_DOWNLOADS,
    downloadStallMs: values.SPOTLIGHT_DOWNLOAD_STALL_MS,
    redis: values.SPOTLIGHT_REDIS_URL
      ? {
          url: values.SPOTLIGHT_REDIS_URL,
          keyPrefix: values.SPOTLIGHT_REDIS_KEY_PREFIX ?? 'spotlight:',
          timeoutMs: values.SPOTLIGHT_REDIS_TIMEOUT_MS,
        }
      : undefined,
    alerts: {
      emails: values.SPOTLIGHT_ALERT_EMAIL,
      webhookUrl: values.SPOTLIGHT_ALERT_WEBHOOK_URL,
      timeoutMs: values.SPOTLIGHT_ALERT_TIMEOUT_MS,
      webhookAttempts: values.SPOTLIGHT_ALERT_WEBHOOK_ATTEMPTS,
      smtpUrl: values.SPOTLIGHT_ALERT_SMTP_URL,
      retryBaseMs: values.SPOTLIGHT_ALERT_RETRY_BASE_MS,
    },
    scheduleMaxFailures: values.SPOTLIGHT_SCHEDULE_MAX_FAILURES,
    historyDays: values.SPOTLIGHT_HISTORY_DAYS,
    historyCleanupMs: values.SPOTLIGHT_HISTORY_CLEANUP_MS,
    probeTimeoutMs: values.SPOTLIGHT_PROBE_TIMEOUT_MS,
    // A tick may wait on a busy database: never less than a minute unless set.
    schedulerStaleMs:
      values.SPOTLIGHT_SCHEDULER_STALE_MS || Math.max(3 * values.SPOTLIGHT_SCHEDULER_TICK_MS, 60_000),
    metricsToken: values.SPOTLIGHT_METRICS_TOKEN,
    signingSecret: values.SPOTLIGHT_SIGNING_SECRET,
    logLevel: values.SPOTLIGHT_LOG_LEVEL,
    trustProxy: values.SPOTLIGHT_TRUST_PROXY,
    consoleDir: values.SPOTLIGHT_CONSOLE_DIR,
  };
}

/** A one-line description of where the server reads and writes, without passwords. */
export function describeSettings(settings: ServerSettings): string {
  const read =
    settings.readDatabaseUrl === settings.core.databaseUrl
      ? ''
      : `, exports read from ${maskUrl(settings.readDatabaseUrl)}`;
  return `database ${maskUrl(settings.core.databaseUrl)}${read}, mail ${settings.core.smtpUrl ? maskUrl(settings.core.smtpUrl) : `outbox ${settings.core.outboxDir}`}`;
}

/**
 * A warning when failure notices can only travel through the SMTP server that
 * sends the exports: when that server fails the exports, it fails their notices too.
 */
export function alertRouteWarning(settings: ServerSettings): string | null {
  const { emails, webhookUrl, smtpUrl } = settings.alerts;
  const exportsSmtp = settings.core.smtpUrl;
  if (emails.length === 0 || webhookUrl || !exportsSmtp) return null;
  if (smtpUrl && smtpUrl !== exportsSmtp) return null;
  return `failure alerts can only reach ${emails.join(', ')} through ${maskUrl(exportsSmtp)}, the SMTP server of the exports: if it fails, the alerts about it fail too; set SPOTLIGHT_ALERT_SMTP_URL to another SMTP server or SPOTLIGHT_ALERT_WEBHOOK_URL.`;
}

/** A warning when scheduled emails cannot carry an unsubscribe link: nobody told the server its address. */
export function unsubscribeLinkWarning(settings: ServerSettings): string | null {
  if (settings.core.publicUrl) return null;
  return 'SPOTLIGHT_PUBLIC_URL is not set, so scheduled emails carry no unsubscribe link and still ask recipients to contact support to stop them; set it to the address recipients reach this server at.';
}

/**
 * Connections each database pool may open: every export in flight holds one
 * for its customer's lock, one for its read snapshot and, under a cap on
 * concurrent exports, one for its slot; every streamed download one, and
 * heartbeats, claims and API requests need a few more. A pool smaller than
 * that lets heartbeats starve and leases lapse.
 */
export function poolSizeFor(
  settings: Pick<ServerSettings, 'workerConcurrency' | 'maxDownloads'> &
    Partial<Pick<ServerSettings, 'maxConcurrentExports'>>,
): number {
  const perExport = settings.maxConcurrentExports ? 3 : 2;
  return Math.max(10, perExport * settings.workerConcurrency + settings.maxDownloads + 4);
}
