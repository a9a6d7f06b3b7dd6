import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import type { ActivityRepository, SiteRecord } from '../activity/activity.repository';
import type { DateRange } from '../activity/activity.types';
import type { DownloadService, KeptDownload } from '../downloads/download.service';
import {
  AttachmentTooLargeError,
  CustomerNotFoundError,
  RecipientNotAllowedError,
  explainDatabaseError,
} from '../errors';
import { XLSX_CONTENT_TYPE, type MailRepository, type SentMail } from '../mail/mail.repository';
import { writeActivityWorkbook, type WorkbookSummary } from '../workbook/activity-workbook.writer';
import { attachmentName, exportBodies, exportSubject } from './export.mail';
import {
  parseCustomer,
  parseExportRequest,
  parseRange,
  type RangeNames,
  parseRecipient,
  type ExportRequestInput,
} from './export.request';

export interface ExportServiceOptions {
  /** The From of every export email. */
  mailFrom: string;
  /** Printed in database errors; must not contain a password. */
  databaseLabel: string;
  maxRowsPerSheet?: number;
  /** Where scratch folders are made; the system's temporary folder by default. */
  tmpDir?: string;
  clock?: () => Date;
  /** Above this size the workbook goes behind a download link; no limit by default. */
  maxAttachmentBytes?: number;
  /** Keeps big workbooks behind links; without it a workbook above the limit fails the export. */
  downloads?: DownloadService;
  /** What messages call since and until: the request fields by default, the CLI's flags there. */
  rangeNames?: RangeNames;
}

export interface ExportRunOptions {
  /** Build the workbook but send nothing. */
  dryRun?: boolean;
  /** Also keep the workbook at this path. */
  saveTo?: string;
  onProgress?: (users: number) => void;
}

/** What one export did, for every front end to show or record. */
export interface ExportSummary {
  customer: string;
  customerName: string;
  recipient: string | null;
  since: string | null;
  until: string | null;
  active: number;
  inactive: number;
  sheets: string[];
  bytes: number;
  /** SQL statements the export ran, BEGIN and COMMIT included. */
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
    const request = parseExportRequest(input, this.options.rangeNames);
    const started = performance.now();
    const generatedAt = this.now();
    return this.withScratch(async (scratch) => {
      const file = path.join(scratch, attachmentName(request.customer, generatedAt));
      const { result, queries } = await this.withDatabaseErrors(() =>
        this.activity.inSnapshot(async (snapshot) => {
          const check = await guardRecipient(snapshot, request.customer, request.recipient);
          const output = fs.createWriteStream(file);
          const workbook = await this.build(
            snapshot,
            check.site,
            request.range,
            generatedAt,
            output,
            scratch,
            run,
          );
          await finished(output);
          return { check, workbook };
        }),
      );
      const bytes = (await fs.promises.stat(file)).size;
      const summary = buildSummary({
        site: result.check.site,
        recipient: result.check.recipient,
        range: request.range,
        workbook: result.workbook,
        bytes,
        queries,
        generatedAt,
      });
      const tooBig = this.options.maxAttachmentBytes !== undefined && bytes > this.options.maxAttachmentBytes;
      // Checked before anything is kept or sent, so a refused export leaves nothing behind.
      const downloads = this.options.downloads?.canLink ? this.options.downloads : undefined;
      if (tooBig && !run.dryRun && !downloads)
        throw new AttachmentTooLargeError(bytes, this.options.maxAttachmentBytes!);
      if (!run.dryRun) {
        // One INSERT on the primary, after the read snapshot: the link case runs one more statement.
        const link: KeptDownload | null =
          tooBig && downloads
            ? await downloads.keep(file, {
                customer: summary.customer,
                fileName: summary.attachmentName,
              })
            : null;
        if (link) summary.queries += 1;
        const bodies = exportBodies({
          customer: summary.customer,
          customerName: summary.customerName,
          active: summary.active,
          inactive: summary.inactive,
          range: request.range,
          generatedAt,
          link: link ? { url: link.url, expiresAt: link.expiresAt, bytes } : undefined,
        });
        let sent: SentMail;
        try {
          sent = await this.mail.send({
            from: this.options.mailFrom,
            to: result.check.recipient,
            subject: exportSubject(summary.customer),
            ...bodies,
            attachment: link
              ? undefined
              : { filename: summary.attachmentName, path: file, contentType: XLSX_CONTENT_TYPE },
          });
        } catch (error) {
          // Nobody got the link: withdraw it, as a failed send leaves no file behind.
          if (link) await downloads!.discard(link);
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
      }
      // Kept only once the export has done its job: a failed send leaves no file behind.
      if (run.saveTo) summary.savedTo = await saveCopy(file, run.saveTo);
      summary.durationMs = Math.round(performance.now() - started);
      return summary;
    });
  }

  /**
   * Streams the workbook of a customer into `output` (an HTTP response, say),
   * with no email and no recipient. `output` is ended when the workbook is.
   */
  async exportToStream(
    input: { customer: string; since?: string | Date; until?: string | Date },
    output: Writable,
    run: Pick<ExportRunOptions, 'onProgress'> = {},
  ): Promise<ExportSummary> {
    const customer = parseCustomer(input.customer);
    const range = parseRange(input.since, input.until, this.options.rangeNames);
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
          const workbook = await this.build(snapshot, site, range, generatedAt, counter, scratch, run);
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
    range: DateRange,
    generatedAt: Date,
    output: Writable,
    scratchDir: string,
    run: Pick<ExportRunOptions, 'onProgress'>,
  ): Promise<WorkbookSummary> {
    return writeActivityWorkbook(
      snapshot.streamActivity(site.id, range),
      output,
      { customer: site.domain, generatedAt, range },
      { scratchDir, maxRowsPerSheet: this.options.maxRowsPerSheet, onProgress: run.onProgress },
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
  const { site, users } = found;
  const allowed = users.find((user) => user.isManager && user.isActive);
  if (allowed) return { site, recipient: allowed.email.trim() };

  const refuse = (reason: ConstructorParameters<typeof RecipientNotAllowedError>[2], detail: string) =>
    new RecipientNotAllowedError(recipient, customer, reason, detail);
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
  workbook: WorkbookSummary;
  bytes: number;
  queries: number;
  generatedAt: Date;
}): ExportSummary {
  return {
    customer: built.site.domain,
    customerName: built.site.name,
    recipient: built.recipient,
    ...rangeStrings(built.range),
    active: built.workbook.active,
    inactive: built.workbook.inactive,
    sheets: built.workbook.sheets,
    bytes: built.bytes,
    queries: built.queries,
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
  };
}

function rangeStrings(range: DateRange): { since: string | null; until: string | null } {
  return { since: range.since?.toISOString() ?? null, until: range.until?.toISOString() ?? null };
}

/** Copies the workbook to `target` so that the file appears whole or not at all. */
async function saveCopy(file: string, target: string): Promise<string> {
  const destination = path.resolve(target);
  const partial = `${destination}.partial`;
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  try {
    await fs.promises.copyFile(file, partial);
    await fs.promises.rename(partial, destination);
  } catch (error) {
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
  return destination;
}
