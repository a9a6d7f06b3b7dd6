import type { ExportSummary } from '../export/export.summary';
import type { FinishedStatus, RunSource } from '../db/models/run.model';

export interface NewRun {
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  source: RunSource;
  tokenId: number | null;
  /** Who queued it from the CLI (a schedule run now); none for the API and the scheduler. */
  operator?: string;
  scheduleId?: number;
  dueAt?: Date;
  /** Not claimed before this time (a scheduled run's jitter); at once when absent or past. */
  notBefore?: Date;
  /** UTC when not given. */
  timeZone?: string;
  /** Whom the email names as having asked; "Spotlight support" when not given. */
  requestedBy?: string | null;
  /** For API runs: the same key while queued or running means the same export. */
  pendingKey?: string;
  /** The run this one sends again on purpose. */
  resendOf?: number;
}

/** An export that ran outside the queue, as RunRepository.insertFinished records it. */
export interface FinishedRun {
  customer: string;
  recipient: string;
  since: Date | null;
  until: Date | null;
  status: FinishedStatus;
  source: RunSource;
  operator: string | null;
  /** The email's Message-ID when no summary carries it (an unconfirmed delivery). */
  messageId?: string | null;
  /** The run this one sent again on purpose. */
  resendOf?: number | null;
  /** Whom the email named as having asked; null or absent for "Spotlight support". */
  requestedBy?: string | null;
  /** What the export did, when it got that far. */
  summary: ExportSummary | null;
  error: string | null;
  errorCode: string | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}
