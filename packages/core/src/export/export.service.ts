import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import type { ActivityRepository, SiteRecord } from '../activity/activity.repository';
import type { DateRange } from '../activity/activity.types';
import { previousPeriod } from '../activity/previous-period';
import { explainDatabaseError } from '../db/database-errors';
import { countQueries } from '../db/query-counter';
import { CustomerNotFoundError, DeliveryUnconfirmedError, explainStorageError, firstLine } from '../errors';
import { prepareCopy, type PreparedCopy } from '../files/prepared-copy';
import { PRIVATE_FILE_MODE } from '../files/private-folder';
import { newMessageId, type MailRepository } from '../mail/mail.repository';
import { writeActivityWorkbook, type WorkbookSummary } from '../workbook/activity-workbook.writer';
import type { ExportLock } from './export-lock.repository';
import { ExportDelivery, type Delivered, type EmailPreview } from './export.delivery';
import { ExportHistory } from './export.history';
import { interrupted, untilAborted } from './export-interruption';
import { attachmentName, exportSubject, type RequestedBy } from './export.mail';
import { parseCustomer, parseRecipient } from '../input/address.rules';
import {
  parseExportRequest,
  parseRange,
  parseTimeZone,
  type ExportRequest,
  type ExportRequestInput,
} from './export.request';
import { summarize, type BuiltExport, type ExportOutcome, type ExportSummary } from './export.summary';
import { assertSameRecipient, guardRecipient, type RecipientCheck } from './recipient.guard';

export type { ExportSummary } from './export.summary';
import type { ExportRunOptions, ExportServiceOptions } from './export.options';

/** What an email export did before its history entry and its figures. */
type EmailedExport = Omit<ExportOutcome, 'queries' | 'durationMs' | 'historyId'>;

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
  private readonly delivery: ExportDelivery;
  private readonly history?: ExportHistory;
  private readonly now: () => Date;

  constructor(
    private readonly activity: ActivityRepository,
    mail: MailRepository,
    private readonly options: ExportServiceOptions,
  ) {
    this.delivery = new ExportDelivery(mail, options);
    if (options.history) this.history = new ExportHistory(options.history, options);
    this.now = options.clock ?? (() => new Date());
  }

  /** The Message-ID an export given `messageKey` (see {@link ExportRunOptions}) sends its email with. */
  messageIdOf(messageKey: string): string {
    return newMessageId(this.options.mailFrom, messageKey);
  }

  /** The recipient guard alone, e.g. when a schedule is saved. */
  checkRecipient(customer: string, recipient: string): Promise<RecipientCheck> {
    return this.guard(parseCustomer(customer), parseRecipient(recipient));
  }

  private guard(customer: string, recipient: string): Promise<RecipientCheck> {
    return this.withDatabaseErrors(async () => {
      const { result } = await this.activity.inSnapshot((snapshot) =>
        guardRecipient(snapshot, customer, recipient),
      );
      return result;
    });
  }

  /**
   * The email the manager would receive for this export, from the real
   * numbers: the workbook is built in scratch as a dry run builds it, and
   * thrown away. The recipient guard runs; nothing is locked, recorded or sent.
   */
  async previewEmail(
    input: ExportRequestInput,
    requestedBy?: RequestedBy,
  ): Promise<EmailPreview & { subject: string }> {
    const request = parseExportRequest(input, this.options.rangeNames);
    const generatedAt = this.now();
    return this.withScratch(async (scratch) => {
      const file = path.join(scratch, attachmentName({ ...request, generatedAt }));
      const built = await this.buildToFile(request, file, scratch, generatedAt, {});
      return {
        subject: exportSubject(built.site.name, built.range, built.timeZone),
        ...this.delivery.preview(built, requestedBy),
      };
    });
  }

  /** Builds the workbook and emails it to the customer's manager (or only builds it, with `dryRun`). */
  async exportToEmail(input: ExportRequestInput, run: ExportRunOptions = {}): Promise<ExportSummary> {
    const startedAt = this.now();
    const started = performance.now();
    const record = run.record && !run.dryRun ? run.record : undefined;
    try {
      const { result, queries } = await countQueries(async (soFar) => {
        const emailed = await this.emailOnce(input, run, startedAt);
        const durationMs = Math.round(performance.now() - started);
        if (!record) return { emailed, durationMs, historyId: null };
        // The history entry is the export's last statement: it records the count with itself included.
        const recorded = summarize({ ...emailed, queries: soFar() + 1, durationMs, historyId: null });
        const { id, warning } = await this.history!.recordSent(recorded, record, startedAt, this.now());
        if (warning) emailed.warnings.push(warning);
        return { emailed, durationMs, historyId: id };
      });
      return summarize({ ...result.emailed, ...result, queries: queries.length });
    } catch (caught) {
      const error = interrupted(caught, run.signal);
      if (record) {
        await this.history?.recordFailed(input, record, error, {
          startedAt,
          finishedAt: this.now(),
          durationMs: Math.round(performance.now() - started),
        });
      }
      throw error;
    }
  }

  /** Parse, lock, guard and build, deliver, keep the copy, unlock: one export, in that order. */
  private async emailOnce(
    input: ExportRequestInput,
    run: ExportRunOptions,
    generatedAt: Date,
  ): Promise<EmailedExport> {
    const request = parseExportRequest(input, this.options.rangeNames);
    const lock = run.dryRun ? null : await this.lockCustomer(request, run.holder, generatedAt);
    const warnings: string[] = [];
    try {
      return await this.withScratch(async (scratch) => {
        const file = path.join(scratch, attachmentName({ ...request, generatedAt }));
        const built = await this.buildToFile(request, file, scratch, generatedAt, run);
        // Checked before anything is kept or sent, so a refused export leaves nothing behind.
        const kind = run.dryRun ? null : this.delivery.choose(built.bytes);
        // Written before the send: a destination that cannot be written fails while nothing has gone out.
        const copy = run.saveTo ? await prepareCopy(file, run.saveTo) : null;
        if (!kind) {
          const savedTo = copy ? await copy.commit() : null;
          return { built, delivered: null, savedTo, warnings };
        }
        let delivered: Delivered;
        try {
          assertSameRecipient(built, request.customer, request.recipient);
          // Who asked, the hook before delivery, the run that keeps a linked workbook; the Message-ID.
          run.signal?.throwIfAborted();
          delivered = await this.delivery.send(file, built, kind, {
            ...run,
            messageId: run.messageKey ? this.messageIdOf(run.messageKey) : undefined,
          });
        } catch (error) {
          // An email that may have arrived keeps its copy, for whoever checks;
          // one that was not sent leaves no file behind.
          if (error instanceof DeliveryUnconfirmedError) {
            if (copy) await this.keepCopy(copy, warnings);
          } else {
            await copy?.discard();
          }
          throw error;
        }
        const savedTo = copy ? await this.keepCopy(copy, warnings) : null;
        return { built, delivered, savedTo, warnings };
      });
    } finally {
      if (lock) {
        await lock.release().catch((error: unknown) => {
          // The export's own outcome stands; a lock left behind frees itself (see ExportLockRepository).
          warnings.push(`Could not release the export lock: ${firstLine((error as Error).message)}`);
        });
      }
    }
  }

  /** Guards the recipient and writes the workbook to `file`, from one database snapshot. */
  private async buildToFile(
    request: ExportRequest,
    file: string,
    scratch: string,
    generatedAt: Date,
    run: ExportRunOptions,
  ): Promise<BuiltExport & RecipientCheck> {
    const { result } = await this.withDatabaseErrors(() =>
      this.activity.inSnapshot(async (snapshot) => {
        const check = await guardRecipient(snapshot, request.customer, request.recipient);
        const output = fs.createWriteStream(file, { mode: PRIVATE_FILE_MODE });
        const workbook = await this.build(snapshot, check.site, request, generatedAt, output, scratch, run);
        await finished(output);
        return { ...check, workbook };
      }),
    ).catch((error: unknown) => {
      throw explainStorageError(error, `the workbook in the scratch folder ${scratch}`);
    });
    const bytes = (await fs.promises.stat(file)).size;
    return { ...result, range: request.range, timeZone: request.timeZone, bytes, generatedAt };
  }

  /** Puts the copy in place once the email has gone; failing that is a warning, not a failed export. */
  private async keepCopy(copy: PreparedCopy, warnings: string[]): Promise<string | null> {
    try {
      return await copy.commit();
    } catch (error) {
      warnings.push(
        `The email was sent, but the workbook could not be kept at ${copy.destination}: ${firstLine((error as Error).message)}`,
      );
      await copy.discard().catch(() => undefined);
      return null;
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
      await this.guard(request.customer, request.recipient);
      throw error;
    }
  }

  /**
   * Streams the workbook of a customer into `output` (an HTTP response, say),
   * with no email and no recipient. `output` is ended when the workbook is.
   */
  async exportToStream(
    input: { customer: string; since?: string | Date; until?: string | Date; timeZone?: string },
    output: Writable,
    run: Pick<ExportRunOptions, 'onProgress'> & {
      /** Told the workbook's file name once the customer is found, before its first byte. */
      onFileName?: (fileName: string) => void;
    } = {},
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
          run.onFileName?.(attachmentName({ customer: site.domain, range, timeZone, generatedAt }));
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
      return summarize({
        built: { ...result, recipient: null, range, timeZone, bytes, generatedAt },
        delivered: null,
        savedTo: null,
        warnings: [],
        queries,
        durationMs: Math.round(performance.now() - started),
        historyId: null,
      });
    });
  }

  private build(
    snapshot: ActivityRepository,
    site: SiteRecord,
    { range, timeZone }: { range: DateRange; timeZone: string },
    generatedAt: Date,
    output: Writable,
    scratchDir: string,
    run: Pick<ExportRunOptions, 'onProgress' | 'betweenSheets' | 'signal'>,
  ): Promise<WorkbookSummary> {
    const previous = previousPeriod(range, timeZone);
    return writeActivityWorkbook(
      untilAborted(snapshot.streamActivityBatches(site.id, range, previous?.since), run.signal),
      output,
      { customer: site.domain, customerName: site.name, generatedAt, range, timeZone, previous },
      {
        scratchDir,
        maxRowsPerSheet: this.options.maxRowsPerSheet,
        onProgress: run.onProgress,
        communities: () => untilAborted(snapshot.streamCommunities(site.id, range), run.signal),
        communitiesEarly: !snapshot.runsInProcess,
        betweenSheets: run.betweenSheets,
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

  private async withDatabaseErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw explainDatabaseError(error, this.options.databaseLabel);
    }
  }
}
