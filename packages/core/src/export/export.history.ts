import type { DateRange } from '../activity/activity.types';
import { explainDatabaseError } from '../db/database-errors';
import { DeliveryUnconfirmedError, firstLine, isSpotlightError } from '../errors';
import { normaliseDomain } from '../input/address.rules';
import type { RunRepository, RunSource } from '../runs/run.repository';
import { parseRange, parseTimeZone, type ExportRequestInput, type RangeNames } from './export.request';
import type { ExportSummary } from './export.summary';

/** Who asked for an export that runs outside the server's queue (the CLI's), as its history entry says. */
export interface HistoryRecord {
  source: RunSource;
  operator: string | null;
  /** The history entry this export sends again on purpose. */
  resendOf?: number;
  /** Whom the email names as having asked; null for "Spotlight support". */
  requestedBy?: string | null;
}

/**
 * The history of exports that run outside the server's queue: one entry per
 * export, written as its last statement, whatever its outcome.
 */
export class ExportHistory {
  constructor(
    private readonly runs: RunRepository,
    private readonly options: { databaseLabel: string; rangeNames?: RangeNames },
  ) {}

  /** Records a sent export; a history that cannot be written is a warning, as the email has gone. */
  async recordSent(
    summary: ExportSummary,
    record: HistoryRecord,
    startedAt: Date,
    finishedAt: Date,
  ): Promise<{ id: number | null; warning?: string }> {
    try {
      const id = await this.runs.insertFinished({
        customer: summary.customer,
        recipient: summary.recipient ?? '',
        since: summary.since ? new Date(summary.since) : null,
        until: summary.until ? new Date(summary.until) : null,
        status: 'sent',
        source: record.source,
        operator: record.operator,
        resendOf: record.resendOf ?? null,
        requestedBy: record.requestedBy ?? null,
        summary,
        error: null,
        errorCode: null,
        startedAt,
        finishedAt,
        durationMs: summary.durationMs,
      });
      return { id };
    } catch (error) {
      return {
        id: null,
        warning: `The email was sent, but the export could not be recorded in the history: ${this.describe(error)}`,
      };
    }
  }

  /**
   * Records a failed or refused export, or one whose delivery is unconfirmed;
   * a history that cannot be written does not hide the export's own error.
   */
  async recordFailed(
    input: ExportRequestInput,
    record: HistoryRecord,
    error: unknown,
    times: { startedAt: Date; finishedAt: Date; durationMs: number },
  ): Promise<void> {
    const explained = explainDatabaseError(error, this.options.databaseLabel);
    let range: DateRange = {};
    try {
      const timeZone = parseTimeZone(input.timeZone, this.options.rangeNames);
      range = parseRange(input.since, input.until, this.options.rangeNames, timeZone);
    } catch {
      // An unreadable range is the error being recorded; keep the rest.
    }
    const historyId = await this.runs
      .insertFinished({
        customer: normaliseDomain(String(input.customer ?? '')),
        recipient: String(input.recipient ?? '').trim(),
        since: range.since ?? null,
        until: range.until ?? null,
        status: error instanceof DeliveryUnconfirmedError ? 'unconfirmed' : 'failed',
        source: record.source,
        operator: record.operator,
        resendOf: record.resendOf ?? null,
        messageId: error instanceof DeliveryUnconfirmedError ? error.messageId : null,
        requestedBy: record.requestedBy ?? null,
        summary: null,
        error: this.describe(error).slice(0, 2000),
        errorCode: isSpotlightError(explained) ? explained.code : 'UNEXPECTED',
        ...times,
      })
      .catch(() => null);
    // The front end can then say where the failure is recorded, or that it is not.
    if (isSpotlightError(error)) error.historyId = historyId;
  }

  private describe(error: unknown): string {
    const explained = explainDatabaseError(error, this.options.databaseLabel);
    return firstLine(explained instanceof Error ? explained.message : String(explained));
  }
}
