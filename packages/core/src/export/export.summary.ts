import type { SiteRecord } from '../activity/activity.repository';
import type { DateRange } from '../activity/activity.types';
import type { WorkbookSummary } from '../workbook/activity-workbook.writer';
import { oneLine } from '../text/one-line';
import { attachmentName } from './export.mail';

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

/** A workbook built for one customer, before any delivery. */
export interface BuiltExport {
  site: SiteRecord;
  /** The manager's address as Spotlight stores it; null when the workbook goes to no one. */
  recipient: string | null;
  range: DateRange;
  timeZone: string;
  workbook: WorkbookSummary;
  bytes: number;
  generatedAt: Date;
}

/** Everything an export did, as its summary tells it. */
export interface ExportOutcome {
  built: BuiltExport;
  /** The email as handed to SMTP or the outbox; null when nothing was sent (a dry run, a stream). */
  delivered: {
    delivery: 'attachment' | 'link';
    messageId: string;
    outboxPath: string | null;
    link: { url: string; expiresAt: Date } | null;
  } | null;
  savedTo: string | null;
  warnings: string[];
  queries: number;
  durationMs: number;
  historyId: number | null;
}

export function summarize({
  built,
  delivered,
  savedTo,
  warnings,
  queries,
  durationMs,
  historyId,
}: ExportOutcome): ExportSummary {
  return {
    customer: built.site.domain,
    customerName: oneLine(built.site.name),
    recipient: built.recipient,
    since: built.range.since?.toISOString() ?? null,
    until: built.range.until?.toISOString() ?? null,
    timeZone: built.timeZone,
    active: built.workbook.active,
    inactive: built.workbook.inactive,
    sheets: built.workbook.sheets,
    bytes: built.bytes,
    queries,
    durationMs,
    generatedAt: built.generatedAt.toISOString(),
    attachmentName: attachmentName({ ...built, customer: built.site.domain }),
    sent: delivered !== null,
    messageId: delivered?.messageId ?? null,
    outboxPath: delivered?.outboxPath ?? null,
    savedTo,
    delivery: delivered?.delivery ?? null,
    downloadUrl: delivered?.link?.url ?? null,
    expiresAt: delivered?.link?.expiresAt.toISOString() ?? null,
    historyId,
    warnings: [...warnings],
  };
}
