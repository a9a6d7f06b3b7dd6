import { quoted } from './text/quoted';
import { formatBytes } from './text/bytes';

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
  | 'DELIVERY_UNCONFIRMED'
  | 'EXPORT_NOT_RESENDABLE'
  | 'SCHEDULE_CONFLICT'
  | 'DATABASE_UNAVAILABLE'
  | 'DOWNLOAD_NOT_FOUND'
  | 'DOWNLOAD_EXPIRED'
  | 'EXPORT_IN_PROGRESS'
  | 'STORAGE'
  | 'INTERRUPTED';

export abstract class SpotlightError extends Error {
  abstract readonly code: ErrorCode;
  /**
   * Where an export's own history recorded this failure: the entry's id, or
   * null when the history could not be written; unset when the export kept
   * no history of its own (the server's runs are their own record).
   */
  historyId?: number | null;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /**
   * What this error may tell someone who sees one customer only (a site
   * token): `message` names hosts, OS accounts, processes, internal addresses
   * or other customers, so by default only its code's line is shown.
   */
  get tenantMessage(): string {
    return tenantMessage(this.code, {});
  }
}

/** What a tenant's line may name: only the customer and the recipient that were asked about. */
export interface TenantSubject {
  customer?: string;
  recipient?: string;
}

const TENANT_LINES: Record<ErrorCode | 'UNEXPECTED', (about: TenantSubject) => string> = {
  INVALID_INPUT: () => 'The request was not valid; correct it and ask again.',
  CONFIGURATION: () => 'The export service is not set up for this export; ask support to look at it.',
  CUSTOMER_NOT_FOUND: ({ customer }) =>
    `${customer ? `The customer ${customer}` : 'This customer'} cannot be exported as it stands; ask support to look at it.`,
  RECIPIENT_NOT_ALLOWED: ({ customer, recipient }) =>
    `${recipient ?? 'The recipient'} is not an active manager of ${customer ?? 'this customer'}; exports go to its active managers.`,
  MAIL_FAILED: () => 'The email could not be sent; try again later, and ask support if it keeps failing.',
  DELIVERY_UNCONFIRMED: () =>
    "The email may have arrived, but the mail server's answer was lost; check the manager's mailbox for it (its Message-ID is on the export) before resending it.",
  EXPORT_NOT_RESENDABLE: () => 'Only a failed or unconfirmed export can be resent.',
  SCHEDULE_CONFLICT: () =>
    'Another enabled schedule already sends this export; change one of them, or pause or delete the other first.',
  DATABASE_UNAVAILABLE: () => 'The database cannot be used right now; try again in a minute.',
  DOWNLOAD_NOT_FOUND: () => new DownloadNotFoundError().message,
  DOWNLOAD_EXPIRED: () => 'This download link has expired; ask for the export again to get a new one.',
  EXPORT_IN_PROGRESS: ({ customer }) =>
    `Another export of ${customer ?? 'this customer'} was running; wait for it to finish, then ask again.`,
  STORAGE: () =>
    'The server could not write the workbook; try again later, and ask support if it keeps failing.',
  INTERRUPTED: () => 'The export was stopped before its email was sent; ask for it again.',
  UNEXPECTED: () => 'The export failed unexpectedly; ask support to look at it.',
};

/**
 * The one line of an error code that someone who sees only `about.customer`
 * may read: true inside that customer, and naming nothing else. For errors
 * known by their code alone, such as a run's recorded failure.
 */
export function tenantMessage(code: string | null, about: TenantSubject): string {
  const line = TENANT_LINES[(code ?? 'UNEXPECTED') as ErrorCode] ?? TENANT_LINES.UNEXPECTED;
  return line(about);
}

/** Bad input: its message only repeats what was sent. */
export class InvalidInputError extends SpotlightError {
  readonly code = 'INVALID_INPUT';

  override get tenantMessage(): string {
    return this.message;
  }
}

export class ConfigurationError extends SpotlightError {
  readonly code = 'CONFIGURATION';
}

export class CustomerNotFoundError extends SpotlightError {
  readonly code = 'CUSTOMER_NOT_FOUND';
  constructor(readonly customer: string) {
    super(`No customer has the domain "${customer}"; check the spelling against django_site.domain.`);
  }

  // Only the domain that was asked for: a site token asks only for its own.
  override get tenantMessage(): string {
    return this.message;
  }
}

/**
 * Several customers have the domain but for case. Spotlight's MySQL schema
 * cannot hold that (its unique index ignores case), a SQLite copy can: the
 * export refuses to guess, since the other site's manager would pass the
 * guard for this site's data.
 */
export class AmbiguousCustomerError extends SpotlightError {
  readonly code = 'CUSTOMER_NOT_FOUND';
  constructor(
    readonly customer: string,
    readonly domains: readonly string[],
  ) {
    super(
      `${domains.length} customers have the domain ${quoted(customer)} but for case (${domains.map(quoted).join(', ')}); nothing was done: make their django_site.domain differ by more than case.`,
    );
  }

  override get tenantMessage(): string {
    return tenantMessage(this.code, { customer: this.customer });
  }
}

export type RecipientRefusal =
  'unknown-address' | 'manager-of-other-site' | 'not-a-manager' | 'inactive-manager';

export class RecipientNotAllowedError extends SpotlightError {
  readonly code = 'RECIPIENT_NOT_ALLOWED';
  private readonly tenantDetail: string;

  /** `tenantDetail`: what a site token of `customer` is told; the detail itself when it names nothing else. */
  constructor(
    readonly recipient: string,
    readonly customer: string,
    readonly reason: RecipientRefusal,
    detail: string,
    tenantDetail: string = detail,
  ) {
    super(detail);
    this.tenantDetail = tenantDetail;
  }

  override get tenantMessage(): string {
    return this.tenantDetail;
  }
}

/**
 * The email was not sent: the mail server refused it, or the conversation
 * failed before the message's final "." was sent, so it cannot have arrived
 * and sending it again is safe. `permanent` when the server said never (a 5xx
 * reply): another attempt would be refused the same way.
 */
export class MailDeliveryError extends SpotlightError {
  readonly code = 'MAIL_FAILED';
  readonly permanent: boolean;
  constructor(message: string, options?: { cause?: unknown; permanent?: boolean }) {
    super(message, options);
    this.permanent = options?.permanent ?? false;
  }
}

/** Only an export that failed, or whose delivery is unconfirmed, is sent again on request. */
export class ExportNotResendableError extends SpotlightError {
  readonly code = 'EXPORT_NOT_RESENDABLE';
  constructor(id: number, status: string) {
    super(`Export ${id} is ${status}; only a failed or unconfirmed export can be resent.`);
  }
}

/**
 * The whole message, its final "." included, went to the mail server, and
 * then its answer was lost (a dropped connection, a timeout): the server may
 * have accepted it. It is never sent again by itself; someone checks, then
 * resends on purpose.
 */
export class DeliveryUnconfirmedError extends SpotlightError {
  readonly code = 'DELIVERY_UNCONFIRMED';
  /** How the email carried the workbook, and until when its link works: set by the export that sent it. */
  carried: { delivery: 'attachment' | 'link'; linkExpiresAt: Date | null } | null = null;
  constructor(
    readonly messageId: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `The mail server may have accepted the email (Message-ID ${messageId}) but its answer was lost (${reason}); check the recipient's mailbox or the mail server's log before sending it again.`,
      options,
    );
  }
}

export class DatabaseUnavailableError extends SpotlightError {
  readonly code = 'DATABASE_UNAVAILABLE';
  /** The connection failed (unreachable, lost, silent), so trying again later may work; a missing table will not. */
  readonly transient: boolean;
  constructor(message: string, options?: { cause?: unknown; transient?: boolean }) {
    super(message, options);
    this.transient = options?.transient ?? false;
  }
}

/** Which setting names a database, and whether `db migrate` makes it. */
export interface DatabaseSetting {
  /** The environment variable that names it. */
  name: 'DATABASE_URL' | 'DATABASE_READ_URL';
  /** The primary is migrated (and a SQLite primary created) by `db migrate`; a replica is not. */
  migrated: boolean;
}

/** A database URL that names no existing database: a mistyped path or name, usually. Retrying cannot help. */
export class DatabaseNotFoundError extends DatabaseUnavailableError {
  constructor(target: string, dialect: 'mysql' | 'sqlite', setting: DatabaseSetting, cause?: unknown) {
    const advice = !setting.migrated
      ? ''
      : dialect === 'sqlite'
        ? ', or run "spotlight db migrate" to create it'
        : ', or create it and run "spotlight db migrate"';
    super(`The database at ${target} does not exist; check ${setting.name}${advice}.`, { cause });
  }
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

/**
 * The export was stopped (Ctrl-C, a shutdown) before its message was handed
 * over whole: nothing was sent, and sending it again is safe. Stopped later,
 * it is a {@link DeliveryUnconfirmedError} instead.
 */
export class ExportInterruptedError extends SpotlightError {
  readonly code = 'INTERRUPTED';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`The export was interrupted (${reason}) before its email was sent; nothing was sent.`, options);
  }
}

/** Another export of the same customer is running; it holds the customer's export lock. */
export class ExportInProgressError extends SpotlightError {
  readonly code = 'EXPORT_IN_PROGRESS';
  constructor(
    readonly customer: string,
    readonly holder: string,
    readonly since: Date | null,
  ) {
    super(
      `An export of ${customer} is already running (${holder}${since ? `, since ${since.toISOString()}` : ''}); wait for it to finish, then check the history with "spotlight exports list -c ${customer}".`,
    );
  }

  override get tenantMessage(): string {
    return tenantMessage(this.code, { customer: this.customer });
  }
}

/**
 * A local file could not be written: a full disk, a read-only folder, a path
 * through a file. Nothing was sent when this is thrown.
 */
export class StorageError extends SpotlightError {
  readonly code = 'STORAGE';
}

const STORAGE_REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  // mkdir's answer when a file stands where a folder of the path should be.
  EEXIST: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the path is too long',
  // A folder that takes no new files (/proc, say), or one removed meanwhile.
  ENOENT: 'no file can be made there',
};

/**
 * Turns a file-system error into a one-line StorageError naming `what` was
 * being written and why; returns anything else as is.
 */
export function explainStorageError(error: unknown, what: string): unknown {
  if (error instanceof SpotlightError || !(error instanceof Error)) return error;
  const code = (error as { code?: string }).code ?? '';
  const reason = STORAGE_REASONS[code];
  if (!reason) return error;
  return new StorageError(`Cannot write ${what}: ${reason} (${code}).`, { cause: error });
}

export class DownloadNotFoundError extends SpotlightError {
  readonly code = 'DOWNLOAD_NOT_FOUND';
  constructor() {
    super('No download has this link; check that the whole link was copied from the email.');
  }

  override get tenantMessage(): string {
    return this.message;
  }
}

export class DownloadExpiredError extends SpotlightError {
  readonly code = 'DOWNLOAD_EXPIRED';
  constructor(readonly expiredAt: Date) {
    super(
      `This download link expired at ${expiredAt.toISOString()}; ask for the export again to get a new one.`,
    );
  }

  // Told to whoever holds the link, which only its email had.
  override get tenantMessage(): string {
    return this.message;
  }
}

export function isSpotlightError(error: unknown): error is SpotlightError {
  return error instanceof SpotlightError;
}

export function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
