import path from 'node:path';
import { z } from 'zod';
import { ConfigurationError } from '../errors';
import { isMailbox } from '../input/address.rules';
import { describeIssues, optionalNumber, optionalText } from './setting-schemas';
import { defaultScratchRoot } from '../scratch/scratch-space';
import { DEFAULT_SMTP_TIMEOUTS, type SmtpTimeouts } from '../mail/smtp-timeouts';
import {
  DEFAULT_DATABASE_TIMEOUTS,
  defaultDatabaseUrl,
  parseDatabaseUrl,
  type DatabaseTimeouts,
} from '../db/connection';
import { EXCEL_MAX_DATA_ROWS } from '../workbook/excel-limits';

/** The repository's root: the embedded default keeps its data below it. */
export const PROJECT_ROOT = path.resolve(__dirname, '../../../..');

/** An optional database URL setting: mysql://... or sqlite:... */
export const databaseUrlSetting = optionalText.refine(
  (url) => {
    if (!url) return true;
    try {
      parseDatabaseUrl(url);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be mysql://user:password@host:port/database or sqlite:///path/to/file.db' },
);

const SMTP_URL = /^smtps?:\/\/[^/]+/i;

/**
 * Whether the URL's port, if it names one, is a TCP port. Otherwise the
 * mistake would only show at the first send, as a mail failure.
 */
function hasValidPort(url: string): boolean {
  const authority = url.replace(/^[a-z]+:\/\//i, '').split(/[/?#]/)[0];
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  // After an IPv6 literal's brackets, or after the host's only colon.
  const port = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostAndPort)?.[1];
  if (port === undefined) return true;
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535;
}

/** Settings every front end shares; each app reads its environment once and passes it here. */
export const coreSettingsSchema = z.object({
  DATABASE_URL: databaseUrlSetting.meta({
    description: 'mysql://user:password@host:3306/database (production) or sqlite:///path/file.db',
    defaultText: 'sqlite://<data dir>/spotlight.sqlite',
  }),
  SMTP_URL: optionalText
    .refine((url) => !url || SMTP_URL.test(url), {
      message: 'must be smtp://user:password@host:port or smtps://...',
    })
    .refine((url) => !url || !SMTP_URL.test(url) || hasValidPort(url), {
      message: 'must have a port from 1 to 65535, like smtp://user:password@host:587',
    })
    .meta({
      description:
        'smtp://user:password@host:587 or smtps://...:465; unset: mail is written to the outbox folder as .eml files',
      defaultText: 'none, the outbox',
    }),
  MAIL_FROM: optionalText
    .refine((from) => !from || !/[\r\n]/.test(from), {
      message: 'must be one line, like "Exports <exports@example.com>": a line break would add mail headers',
    })
    .refine((from) => !from || /[\r\n]/.test(from) || isMailbox(from), {
      message: 'must be one sender, like "Exports <exports@example.com>" or exports@example.com',
    })
    .meta({
      description: 'From of every export email, one line',
      defaultText: 'Spotlight exports <exports@spotlight.invalid>',
    }),
  SPOTLIGHT_DATA_DIR: optionalText.meta({
    description: 'Where the embedded database and the outbox live',
    defaultText: '<repo>/data',
  }),
  SPOTLIGHT_OUTBOX_DIR: optionalText.meta({
    description: 'Where .eml files go when there is no SMTP_URL',
    defaultText: '<data dir>/outbox',
  }),
  SPOTLIGHT_MAX_ROWS_PER_SHEET: z.coerce
    .number()
    .int()
    .min(1)
    .max(EXCEL_MAX_DATA_ROWS)
    .optional()
    .meta({ description: 'Rows per sheet before continuing on "Name (2)"', defaultText: '1048575' }),
  SPOTLIGHT_MAX_ATTACHMENT_BYTES: optionalNumber(z.coerce.number().int().min(1)).meta({
    description:
      'Above this size (20 MiB by default) the email carries a download link instead of the workbook',
    defaultText: '20971520',
  }),
  SPOTLIGHT_STORAGE_DIR: optionalText.meta({
    description: 'Where workbooks behind download links are kept; every server instance must share it',
    defaultText: '<data dir>/storage',
  }),
  SPOTLIGHT_SCRATCH_DIR: optionalText.meta({
    description: "Each process's private scratch folder (0700) lives here",
    defaultText: '<system temp>/spotlight-exports-<uid>',
  }),
  SPOTLIGHT_SMTP_CONNECTION_TIMEOUT_MS: optionalNumber(z.coerce.number().int().min(100).max(600_000)).meta({
    description: "How long to wait for the SMTP server's TCP connection",
    defaultText: '15000',
  }),
  SPOTLIGHT_SMTP_GREETING_TIMEOUT_MS: optionalNumber(z.coerce.number().int().min(100).max(600_000)).meta({
    description: "How long to wait for the SMTP server's greeting",
    defaultText: '15000',
  }),
  SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS: optionalNumber(z.coerce.number().int().min(100).max(3_600_000)).meta({
    description: 'How long the SMTP server may stay silent once connected',
    defaultText: '60000',
  }),
  SPOTLIGHT_LINK_TTL_DAYS: optionalNumber(z.coerce.number().positive().max(365)).meta({
    description: 'How long a download link works, in days (fractions allowed, up to 365)',
    defaultText: '7',
  }),
  SPOTLIGHT_DB_CONNECT_TIMEOUT_MS: optionalNumber(z.coerce.number().int().min(100).max(600_000)).meta({
    description: 'MySQL/MariaDB: how long to wait for a connection',
    defaultText: '10000',
  }),
  SPOTLIGHT_DB_IDLE_TIMEOUT_MS: optionalNumber(z.coerce.number().int().min(100).max(3_600_000)).meta({
    description: 'How long the database may stay silent while an answer or the next row is awaited',
    defaultText: '60000',
  }),
  SPOTLIGHT_PUBLIC_URL: optionalText
    .refine((url) => !url || /^https?:\/\/[^/]+/i.test(url), {
      message: "must be the server's base URL, such as https://exports.example.com",
    })
    .meta({
      description:
        "The server's base URL as recipients reach it, e.g. https://exports.example.com; download links start with it",
      defaultText: 'unset: too big a workbook fails the export',
    }),
});

export interface CoreSettings {
  databaseUrl: string;
  /** Where the embedded SQLite file, the outbox and other local state live. */
  dataDir: string;
  /** Sends through this SMTP server; without it mail goes to `outboxDir`. */
  smtpUrl?: string;
  outboxDir: string;
  mailFrom: string;
  maxRowsPerSheet: number;
  /** Above this size the email carries a download link instead of the workbook. */
  maxAttachmentBytes: number;
  /** Where workbooks behind download links are kept; shared by every server instance. */
  storageDir: string;
  /** Where each process keeps its private scratch folder while exporting. */
  scratchRoot: string;
  /** How long each step of an SMTP conversation may wait. */
  smtpTimeouts: SmtpTimeouts;
  /** How long a download link works. */
  linkTtlMs: number;
  /** The server's base URL, without a trailing slash; download links start with it. */
  publicUrl?: string;
  /** How long a connection may take, and how long the database may stay silent, before the work fails. */
  databaseTimeouts: DatabaseTimeouts;
}

export const DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const DEFAULT_LINK_TTL_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_MAIL_FROM = 'Spotlight exports <exports@spotlight.invalid>';

/** Validates the shared settings; throws a one-line ConfigurationError naming every bad variable. */
export function loadCoreSettings(env: Record<string, string | undefined>): CoreSettings {
  const parsed = coreSettingsSchema.safeParse(env);
  if (!parsed.success) throw new ConfigurationError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  const values = parsed.data;
  const dataDir = path.resolve(values.SPOTLIGHT_DATA_DIR ?? path.join(PROJECT_ROOT, 'data'));
  return {
    databaseUrl: values.DATABASE_URL ?? defaultDatabaseUrl(dataDir),
    dataDir,
    smtpUrl: values.SMTP_URL,
    outboxDir: path.resolve(values.SPOTLIGHT_OUTBOX_DIR ?? path.join(dataDir, 'outbox')),
    mailFrom: values.MAIL_FROM ?? DEFAULT_MAIL_FROM,
    maxRowsPerSheet: values.SPOTLIGHT_MAX_ROWS_PER_SHEET ?? EXCEL_MAX_DATA_ROWS,
    maxAttachmentBytes: values.SPOTLIGHT_MAX_ATTACHMENT_BYTES ?? DEFAULT_MAX_ATTACHMENT_BYTES,
    storageDir: path.resolve(values.SPOTLIGHT_STORAGE_DIR ?? path.join(dataDir, 'storage')),
    scratchRoot: path.resolve(values.SPOTLIGHT_SCRATCH_DIR ?? defaultScratchRoot()),
    smtpTimeouts: {
      connectionTimeoutMs:
        values.SPOTLIGHT_SMTP_CONNECTION_TIMEOUT_MS ?? DEFAULT_SMTP_TIMEOUTS.connectionTimeoutMs,
      greetingTimeoutMs: values.SPOTLIGHT_SMTP_GREETING_TIMEOUT_MS ?? DEFAULT_SMTP_TIMEOUTS.greetingTimeoutMs,
      socketTimeoutMs: values.SPOTLIGHT_SMTP_SOCKET_TIMEOUT_MS ?? DEFAULT_SMTP_TIMEOUTS.socketTimeoutMs,
    },
    linkTtlMs: Math.round((values.SPOTLIGHT_LINK_TTL_DAYS ?? DEFAULT_LINK_TTL_DAYS) * DAY_MS),
    publicUrl: values.SPOTLIGHT_PUBLIC_URL?.replace(/\/+$/, ''),
    databaseTimeouts: {
      connectMs: values.SPOTLIGHT_DB_CONNECT_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.connectMs,
      idleMs: values.SPOTLIGHT_DB_IDLE_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.idleMs,
    },
  };
}
