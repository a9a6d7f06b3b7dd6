/**
 * Errors a user can cause, each with a stable code that every front end maps
 * to its own convention (an exit code, an HTTP status) in one place.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'CONFIGURATION'
  | 'CUSTOMER_NOT_FOUND'
  | 'RECIPIENT_NOT_ALLOWED'
  | 'MAIL_FAILED'
  | 'DATABASE_UNAVAILABLE'
  | 'DOWNLOAD_NOT_FOUND'
  | 'DOWNLOAD_EXPIRED';

export abstract class SpotlightError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends SpotlightError {
  readonly code = 'INVALID_INPUT';
}

export class ConfigurationError extends SpotlightError {
  readonly code = 'CONFIGURATION';
}

export class CustomerNotFoundError extends SpotlightError {
  readonly code = 'CUSTOMER_NOT_FOUND';
  constructor(readonly customer: string) {
    super(`No customer has the domain "${customer}"; check the spelling against django_site.domain.`);
  }
}

export type RecipientRefusal =
  'unknown-address' | 'manager-of-other-site' | 'not-a-manager' | 'inactive-manager';

export class RecipientNotAllowedError extends SpotlightError {
  readonly code = 'RECIPIENT_NOT_ALLOWED';
  constructor(
    readonly recipient: string,
    readonly customer: string,
    readonly reason: RecipientRefusal,
    detail: string,
  ) {
    super(detail);
  }
}

export class MailDeliveryError extends SpotlightError {
  readonly code = 'MAIL_FAILED';
}

export class DatabaseUnavailableError extends SpotlightError {
  readonly code = 'DATABASE_UNAVAILABLE';
}

/**
 * A workbook above the attachment limit with no way to link to it. A
 * configuration problem, not a mail failure: retrying cannot help.
 */
export class AttachmentTooLargeError extends SpotlightError {
  readonly code = 'CONFIGURATION';
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `The workbook is ${formatBytes(bytes)}, above the ${formatBytes(maxBytes)} attachment limit, and SPOTLIGHT_PUBLIC_URL is not set, so no download link can be sent; set SPOTLIGHT_PUBLIC_URL to the server's address or raise SPOTLIGHT_MAX_ATTACHMENT_BYTES.`,
    );
  }
}

export class DownloadNotFoundError extends SpotlightError {
  readonly code = 'DOWNLOAD_NOT_FOUND';
  constructor() {
    super('No download has this link; check that the whole link was copied from the email.');
  }
}

export class DownloadExpiredError extends SpotlightError {
  readonly code = 'DOWNLOAD_EXPIRED';
  constructor(readonly expiredAt: Date) {
    super(
      `This download link expired at ${expiredAt.toISOString()}; ask for the export again to get a new one.`,
    );
  }
}

/** "1.5 MB", for messages and emails. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function isSpotlightError(error: unknown): error is SpotlightError {
  return error instanceof SpotlightError;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'SQLITE_CANTOPEN',
  'SQLITE_NOTADB',
  // Another process held the write lock for longer than busy_timeout.
  'SQLITE_BUSY',
]);

/**
 * Turns a driver error that means "the database cannot be used" into a
 * DatabaseUnavailableError with a one-line explanation; returns anything else as is.
 */
export function explainDatabaseError(error: unknown, target: string): unknown {
  // Duck-typed: a socket error is made by Node itself, and is not an `instanceof Error` of every realm (jest's, say).
  if (error instanceof SpotlightError || typeof (error as Error | null)?.message !== 'string') return error;
  const { message, code = '' } = error as Error & { code?: string };
  if (CONNECTION_CODES.has(code) || /connect|Timeout acquiring a connection/i.test(message)) {
    return new DatabaseUnavailableError(
      `Cannot use the database at ${target}: ${firstLine(message) || code}`,
      {
        cause: error,
      },
    );
  }
  if (/no such table|ER_NO_SUCH_TABLE|doesn't exist/i.test(`${code} ${message}`)) {
    return new DatabaseUnavailableError(
      `The database at ${target} has no Spotlight tables (${firstLine(message)}); run "spotlight db migrate" first.`,
      { cause: error },
    );
  }
  return error;
}

export function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
