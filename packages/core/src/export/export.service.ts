import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { sameAddress, type ActivityRepository, type SiteRecord } from '../activity/activity.repository';
import type { DateRange } from '../activity/activity.types';
import type { DownloadService, KeptDownload } from '../downloads/download.service';
import {
  AttachmentTooLargeError,
  CustomerNotFoundError,
  RecipientNotAllowedError,
  explainDatabaseError,
  explainStorageError,
  firstLine,
  isSpotlightError,
} from '../errors';
import { countQueries } from '../db/query-counter';
import type { RunRepository, RunSource } from '../runs/run.repository';
import type { ExportLock, ExportLockRepository } from './export-lock.repository';
import { prepareCopy } from '../files/prepared-copy';
import { XLSX_CONTENT_TYPE, type MailRepository, type SentMail } from '../mail/mail.repository';
import { writeActivityWorkbook, type WorkbookSummary } from '../workbook/activity-workbook.writer';
import { attachmentName, exportBodies, exportSubject, type RequestedBy } from './export.mail';
import {
  parseCustomer,
  parseExportRequest,
  parseRange,
  parseTimeZone,
  type RangeNames,
  parseRecipient,
  type ExportRequest,
  type ExportRequestInput,
} from './export.request';

export interface ExportServiceOptions {
  /** The From of every export email. */
  mailFrom: string;
  /** Printed in database errors; must not contain a password. */
  databaseLabel: string;
  maxRowsPerSheet?: number;
  /** Where scratch folders are made: the process's private scratch folder; the system's temporary folder by default. */
  tmpDir?: string;
  clock?: () => Date;
  /** Above this size the workbook goes behind a download link; no limit by default. */
  maxAttachmentBytes?: number;
  /** Keeps big workbooks behind links; without it a workbook above the limit fails the export. */
  downloads?: DownloadService;
  /** One email export per customer at a time; without it exports are not serialised. */
  locks?: ExportLockRepository;
  /** Where exports that run outside the server's queue (the CLI's) are recorded. */
  history?: RunRepository;
  /** What messages call since and until: the request fields by default, the CLI's flags there. */
  rangeNames?: RangeNames;
}

export interface ExportRunOptions {
  /** Build the workbook but send nothing. */
  dryRun?: boolean;
  /** Also keep the workbook at this path. */
  saveTo?: string;
  onProgress?: (users: number) => void;
  /** Who is exporting, as a second export of the customer is told while this one runs. */
  holder?: string;
  /** Records the export, whatever its outcome, in the history (a dry run is not recorded). */
  record?: { source: RunSource; operator: string | null };
  /** Who the email says asked for it; the recorded operator by default. */
  requestedBy?: RequestedBy;
  /**
   * Called once the email is ready, just before the SMTP transaction (or the
   * outbox write) starts; a rejection cancels the export with nothing sent.
   */
  beforeDelivery?: () => Promise<void>;
}

/** What one export did, for every front end to show or record. */
export interface ExportSummary {
  customer: string;
  customerName: string;
  recipient: string | null;
  since: string | null;
  until: string | null;
  /** The zone the workbook and the email show dates in. */
  timeZone: string;
  active: number;
  inactive: number;
  sheets: string[];
  bytes: number;
  /** SQL statements the export ran, on every database, BEGIN and COMMIT included; measured. */
  queries: number;
  durationMs: number;
  generatedAt: string;
  attachmentName: string;
  sent: boolean;
  messageId: string | null;
  /** Where the email was written when there is no SMTP server. */
  outboxPath: string | null;
  /** Where the workbook was kept, when asked. */
  savedTo: string | null;
  /** How the email carried the workbook; null when nothing was sent. */
  delivery: 'attachment' | 'link' | null;
  /** The download link the email carried, when the workbook was too big to attach. */
  downloadUrl: string | null;
  expiresAt: string | null;
  /** The history entry of this export, when it was recorded. */
  historyId: number | null;
  /**
   * What went wrong after the email had gone: the export still succeeded (a
   * rerun would mail the manager twice), but someone should know.
   */
  warnings: string[];
}

export interface RecipientCheck {
  site: SiteRecord;
  /** The manager's address as Spotlight stores it. */
  recipient: string;
}

/**
 * The user activity export: every front end (CLI, HTTP, scheduler) calls this.
 * It validates the request, checks the recipient is an active manager of that
 * very customer before any other work, builds the workbook from one database
 * snapshot with a fixed number of queries, and emails it to that one person.
 *
 * Once the message is handed to SMTP or the outbox, the export succeeds:
 * anything that goes wrong after that is a warning in the summary.
 */
export class ExportService {
  constructor(
    private readonly activity: ActivityRepository,
    private readonly mail: MailRepository,
    private readonly options: ExportServiceOptions,
  ) {}

  /** The recipient guard alone, e.g. when a schedule is saved. */
  async checkRecipient(customer: string, recipient: string): Promise<RecipientCheck> {
    const domain = parseCustomer(customer);
    const address = parseRecipient(recipient);
    return this.withDatabaseErrors(async () => {
      const { result } = await this.activity.inSnapshot((snapshot) =>
        guardRecipient(snapshot, domain, address),
      );
      return result;
    });
  }

  /** Builds the workbook and emails it to the customer's manager (or only builds it, with `dryRun`). */
  async exportToEmail(input: ExportRequestInput, run: ExportRunOptions = {}): Promise<ExportSummary> {
    const startedAt = this.now();
    const started = performance.now();
    try {
      const { result: summary, queries } = await countQueries(async (soFar) => {
        const summary = await this.emailOnce(input, run, startedAt);
        // The history row is the last statement: it records the count with itself included.
        summary.queries = soFar() + (run.record && !run.dryRun ? 1 : 0);
        summary.durationMs = Math.round(performance.now() - started);
        if (run.record && !run.dryRun)
          summary.historyId = await this.recordSent(summary, run.record, startedAt);
        return summary;
      });
      summary.queries = queries.length;
      return summary;
    } catch (error) {
      if (run.record && !run.dryRun) await this.recordFailed(input, run.record, error, startedAt, started);
      throw error;
    }
  }

  private async emailOnce(
    input: ExportRequestInput,
    run: ExportRunOptions,
    startedAt: Date,
  ): Promise<ExportSummary> {
    const request = parseExportRequest(input, this.options.rangeNames);
    const generatedAt = startedAt;
    const lock = run.dryRun ? null : await this.lockCustomer(request, run.holder, startedAt);
    let summary: ExportSummary | null = null;
    try {
      summary = await this.withScratch(async (scratch) => {
        const file = path.join(scratch, attachmentName(request.customer, generatedAt));
        const { result } = await this.withDatabaseErrors(() =>
          this.activity.inSnapshot(async (snapshot) => {
            const check = await guardRecipient(snapshot, request.customer, request.recipient);
            const output = fs.createWriteStream(file);
            const workbook = await this.build(
              snapshot,
              check.site,
              request,
              generatedAt,
              output,
              scratch,
              run,
            );
            await finished(output);
            return { check, workbook };
          }),
        ).catch((error: unknown) => {
          throw explainStorageError(error, `the workbook in the scratch folder ${scratch}`);
        });
        const bytes = (await fs.promises.stat(file)).size;
        const summary = buildSummary({
          site: result.check.site,
          recipient: result.check.recipient,
          range: request.range,
          timeZone: request.timeZone,
          workbook: result.workbook,
          bytes,
          generatedAt,
        });
        const tooBig =
          this.options.maxAttachmentBytes !== undefined && bytes > this.options.maxAttachmentBytes;
        // Checked before anything is kept or sent, so a refused export leaves nothing behind.
        const downloads = this.options.downloads?.canLink ? this.options.downloads : undefined;
        if (tooBig && !run.dryRun && !downloads)
          throw new AttachmentTooLargeError(bytes, this.options.maxAttachmentBytes!);
        // Written before the send: a destination that cannot be written fails while nothing has gone out.
        const copy = run.saveTo ? await prepareCopy(file, run.saveTo) : null;
        if (run.dryRun) {
          if (copy) summary.savedTo = await copy.commit();
          return summary;
        }
        let link: KeptDownload | null = null;
        let sent: SentMail;
        try {
          // The last line of the guard: the address the email goes to is the one asked for.
          if (!sameAddress(result.check.recipient, request.recipient)) {
            throw new RecipientNotAllowedError(
              request.recipient,
              request.customer,
              'unknown-address',
              `${request.recipient} is not exactly the address of a manager of ${request.customer}; nothing was sent.`,
            );
          }
          link =
            tooBig && downloads
              ? await downloads.keep(file, { customer: summary.customer, fileName: summary.attachmentName })
              : null;
          const bodies = exportBodies({
            customer: summary.customer,
            customerName: summary.customerName,
            active: summary.active,
            inactive: summary.inactive,
            levels: result.workbook.tally.levels,
            range: request.range,
            timeZone: request.timeZone,
            generatedAt,
            attachmentName: summary.attachmentName,
            link: link ? { url: link.url, expiresAt: link.expiresAt, bytes } : undefined,
            requestedBy:
              run.requestedBy ??
              (run.record?.operator ? { kind: 'operator', name: run.record.operator } : undefined),
          });
          await run.beforeDelivery?.();
          sent = await this.mail.send({
            from: this.options.mailFrom,
            to: result.check.recipient,
            subject: exportSubject(summary.customerName, request.range, request.timeZone),
            ...bodies,
            attachment: link
              ? undefined
              : { filename: summary.attachmentName, path: file, contentType: XLSX_CONTENT_TYPE },
          });
        } catch (error) {
          // Nobody got the link or the copy: withdraw both, as a failed send leaves no file behind.
          if (link) await downloads!.discard(link);
          await copy?.discard();
          throw error;
        }
        Object.assign(summary, {
          sent: true,
          messageId: sent.messageId,
          outboxPath: sent.outboxPath ?? null,
          delivery: link ? 'link' : 'attachment',
          downloadUrl: link?.url ?? null,
          expiresAt: link?.expiresAt.toISOString() ?? null,
        });
        if (copy) {
          try {
            summary.savedTo = await copy.commit();
          } catch (error) {
            summary.warnings.push(
              `The email was sent, but the workbook could not be kept at ${copy.destination}: ${firstLine((error as Error).message)}`,
            );
            await copy.discard().catch(() => undefined);
          }
        }
        return summary;
      });
      return summary;
    } finally {
      if (lock) {
        await lock.release().catch((error: unknown) => {
          // The export's own outcome stands; a lock left behind frees itself (see ExportLockRepository).
          summary?.warnings.push(`Could not release the export lock: ${firstLine((error as Error).message)}`);
        });
      }
    }
  }

  /**
   * Takes the customer's export lock. When it cannot, the request's own
   * problem (an unknown customer, a recipient who may not receive it, a
   * database without Spotlight's tables) is what the person is told first:
   * waiting for the other export would not fix it.
   */
  private async lockCustomer(
    request: ExportRequest,
    holder: string | undefined,
    now: Date,
  ): Promise<ExportLock | null> {
    const locks = this.options.locks;
    if (!locks) return null;
    try {
      return await this.withDatabaseErrors(() => locks.acquire(request.customer, holder ?? 'an export', now));
    } catch (error) {
      await this.checkRecipient(request.customer, request.recipient);
      throw error;
    }
  }

  private async recordSent(
    summary: ExportSummary,
    record: NonNullable<ExportRunOptions['record']>,
    startedAt: Date,
  ): Promise<number | null> {
    try {
      return await this.options.history!.insertFinished({
        customer: summary.customer,
        recipient: summary.recipient ?? '',
        since: summary.since ? new Date(summary.since) : null,
        until: summary.until ? new Date(summary.until) : null,
        status: 'sent',
        source: record.source,
        operator: record.operator,
        summary,
        error: null,
        errorCode: null,
        startedAt,
        finishedAt: this.now(),
        durationMs: summary.durationMs,
      });
    } catch (error) {
      const explained = explainDatabaseError(error, this.options.databaseLabel);
      summary.warnings.push(
        `The email was sent, but the export could not be recorded in the history: ${firstLine(explained instanceof Error ? explained.message : String(explained))}`,
      );
      return null;
    }
  }

  /** Records a failed or refused export; a history that cannot be written does not hide the export's own error. */
  private async recordFailed(
    input: ExportRequestInput,
    record: NonNullable<ExportRunOptions['record']>,
    error: unknown,
    startedAt: Date,
    started: number,
  ): Promise<void> {
    if (!this.options.history) return;
    const explained = explainDatabaseError(error, this.options.databaseLabel);
    let range: DateRange = {};
    try {
      const timeZone = parseTimeZone(input.timeZone, this.options.rangeNames);
      range = parseRange(input.since, input.until, this.options.rangeNames, timeZone);
    } catch {
      // An unreadable range is the error being recorded; keep the rest.
    }
    await this.options.history
      .insertFinished({
        customer: String(input.customer ?? '')
          .trim()
          .toLowerCase(),
        recipient: String(input.recipient ?? '').trim(),
        since: range.since ?? null,
        until: range.until ?? null,
        status: 'failed',
        source: record.source,
        operator: record.operator,
        summary: null,
        error: firstLine(explained instanceof Error ? explained.message : String(explained)).slice(0, 2000),
        errorCode: isSpotlightError(explained) ? explained.code : 'UNEXPECTED',
        startedAt,
        finishedAt: this.now(),
        durationMs: Math.round(performance.now() - started),
      })
      .catch(() => undefined);
  }

  /**
   * Streams the workbook of a customer into `output` (an HTTP response, say),
   * with no email and no recipient. `output` is ended when the workbook is.
   */
  async exportToStream(
    input: { customer: string; since?: string | Date; until?: string | Date; timeZone?: string },
    output: Writable,
    run: Pick<ExportRunOptions, 'onProgress'> = {},
  ): Promise<ExportSummary> {
    const customer = parseCustomer(input.customer);
    const timeZone = parseTimeZone(input.timeZone, this.options.rangeNames);
    const range = parseRange(input.since, input.until, this.options.rangeNames, timeZone);
    const started = performance.now();
    const generatedAt = this.now();
    return this.withScratch(async (scratch) => {
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      const delivered = pipeline(counter, output);
      // On failure the error is rethrown below; without this the rejected
      // pipeline would also surface as an unhandled rejection and end the process.
      delivered.catch(() => undefined);
      const { result, queries } = await this.withDatabaseErrors(() =>
        this.activity.inSnapshot(async (snapshot) => {
          const site = await snapshot.findSite(customer);
          if (!site) throw new CustomerNotFoundError(customer);
          const workbook = await this.build(
            snapshot,
            site,
            { range, timeZone },
            generatedAt,
            counter,
            scratch,
            run,
          );
          return { site, workbook };
        }),
      ).catch((error: unknown) => {
        counter.destroy(error as Error);
        throw error;
      });
      await delivered;
      const summary = buildSummary({
        site: result.site,
        recipient: null,
        range,
        timeZone,
        workbook: result.workbook,
        bytes,
        queries,
        generatedAt,
      });
      summary.durationMs = Math.round(performance.now() - started);
      return summary;
    });
  }

  private build(
    snapshot: ActivityRepository,
    site: SiteRecord,
    { range, timeZone }: { range: DateRange; timeZone: string },
    generatedAt: Date,
    output: Writable,
    scratchDir: string,
    run: Pick<ExportRunOptions, 'onProgress'>,
  ): Promise<WorkbookSummary> {
    return writeActivityWorkbook(
      snapshot.streamActivity(site.id, range),
      output,
      { customer: site.domain, customerName: site.name, generatedAt, range, timeZone },
      {
        scratchDir,
        maxRowsPerSheet: this.options.maxRowsPerSheet,
        onProgress: run.onProgress,
        communities: () => snapshot.streamCommunities(site.id, range),
      },
    );
  }

  /** Runs `work` with a fresh scratch folder, removed afterwards whatever happens. */
  private async withScratch<T>(work: (scratch: string) => Promise<T>): Promise<T> {
    const scratch = await fs.promises.mkdtemp(
      path.join(this.options.tmpDir ?? os.tmpdir(), 'spotlight-export-'),
    );
    try {
      return await work(scratch);
    } finally {
      await fs.promises.rm(scratch, { recursive: true, force: true });
    }
  }

  private now(): Date {
    return this.options.clock ? this.options.clock() : new Date();
  }

  private async withDatabaseErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw explainDatabaseError(error, this.options.databaseLabel);
    }
  }
}

/**
 * The old tool's fault was mailing whoever it last looked at. Here the
 * recipient is checked once, up front: a user of that very site, a manager,
 * and active. Addresses compare trimmed and case-insensitively.
 */
async function guardRecipient(
  snapshot: ActivityRepository,
  customer: string,
  recipient: string,
): Promise<RecipientCheck> {
  const found = await snapshot.findSiteAndUsers(customer, recipient);
  if (!found) throw new CustomerNotFoundError(customer);
  const { site, users, activeManagers } = found;
  const allowed = users.find((user) => user.isManager && user.isActive);
  // The repository returns only users whose address is exactly the requested one.
  if (allowed) return { site, recipient: allowed.email.trim() };

  const managers = `${customer} has ${activeManagers} active manager${activeManagers === 1 ? '' : 's'}; "spotlight customers managers -c ${customer}" lists them.`;
  const refuse = (reason: ConstructorParameters<typeof RecipientNotAllowedError>[2], detail: string) =>
    new RecipientNotAllowedError(recipient, customer, reason, `${detail} ${managers}`);
  if (users.some((user) => user.isManager)) {
    throw refuse(
      'inactive-manager',
      `${recipient} is a manager of ${customer} but the account is inactive; pick an active manager.`,
    );
  }
  if (users.length > 0) {
    throw refuse(
      'not-a-manager',
      `${recipient} is a user of ${customer} but not a manager; exports go to managers only.`,
    );
  }
  const elsewhere = await snapshot.findUsersElsewhere(recipient, site.id);
  const managedSites = elsewhere.filter((user) => user.isManager).map((user) => user.domain);
  if (managedSites.length > 0) {
    throw refuse(
      'manager-of-other-site',
      `${recipient} manages ${managedSites.join(', ')}, not ${customer}; exports go to that customer's own managers.`,
    );
  }
  throw refuse(
    'unknown-address',
    `${recipient} is not a user of ${customer}; exports go to that customer's managers.`,
  );
}

/** The summary of a built workbook, before any delivery. */
function buildSummary(built: {
  site: SiteRecord;
  recipient: string | null;
  range: DateRange;
  timeZone: string;
  workbook: WorkbookSummary;
  bytes: number;
  queries?: number;
  generatedAt: Date;
}): ExportSummary {
  return {
    customer: built.site.domain,
    customerName: built.site.name,
    recipient: built.recipient,
    ...rangeStrings(built.range),
    timeZone: built.timeZone,
    active: built.workbook.active,
    inactive: built.workbook.inactive,
    sheets: built.workbook.sheets,
    bytes: built.bytes,
    queries: built.queries ?? 0,
    durationMs: 0,
    generatedAt: built.generatedAt.toISOString(),
    attachmentName: attachmentName(built.site.domain, built.generatedAt),
    sent: false,
    messageId: null,
    outboxPath: null,
    savedTo: null,
    delivery: null,
    downloadUrl: null,
    expiresAt: null,
    historyId: null,
    warnings: [],
  };
}

function rangeStrings(range: DateRange): { since: string | null; until: string | null } {
  return { since: range.since?.toISOString() ?? null, until: range.until?.toISOString() ?? null };
}
