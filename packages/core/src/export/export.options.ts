import type { DownloadService } from '../downloads/download.service';
import type { RunRepository } from '../runs/run.repository';
import type { ExportLockRepository } from './export-lock.repository';
import type { HistoryRecord } from './export.history';
import type { RequestedBy } from './export.mail';
import type { RangeNames } from './export.request';

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
  record?: HistoryRecord;
  /** Who the email says asked for it; "Spotlight support" by default, never the operator's account. */
  requestedBy?: RequestedBy;
  /**
   * Called once the email is ready, just before the SMTP transaction (or the
   * outbox write) starts; a rejection cancels the export with nothing sent.
   */
  beforeDelivery?: () => Promise<void>;
  /** Called once the workbook's user sheets are written, before its Communities sheet. */
  betweenSheets?: () => void;
  /**
   * What makes the email's Message-ID unique (a run's id, say): every attempt
   * at one export then carries the same Message-ID. A new one by default.
   */
  messageKey?: string;
  /**
   * Stops the export (Ctrl-C, say; its reason names why): the workbook stops
   * being built, an SMTP transaction is cut, and the export fails as
   * `ExportInterruptedError`, recorded; once the message went whole to the mail
   * server it is unconfirmed instead, as when the server's answer is lost.
   */
  signal?: AbortSignal;
  /** The server's run this export is: a workbook kept behind a link is recorded as that run's. */
  runId?: number;
}
