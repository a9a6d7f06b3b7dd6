import { firstLine, type RunRecord } from '@spotlight/core';

/** The JSON body POSTed to SPOTLIGHT_ALERT_WEBHOOK_URL; documented in the server README. */
export interface ExportFailedEvent {
  /** `export.unconfirmed`: the email may have arrived; check before resending it. */
  event: 'export.failed' | 'export.unconfirmed';
  runId: number;
  customer: string;
  scheduleId: number | null;
  recipient: string;
  source: RunRecord['source'];
  reason: string;
  errorCode: string | null;
  attempts: number;
  queuedAt: string;
  failedAt: string;
  /** True when this failure paused its schedule. */
  schedulePaused: boolean;
}

/** The event a run's final failure raises, as alerts send and record it. */
export function toEvent(run: RunRecord, schedulePaused: boolean, now: Date): ExportFailedEvent {
  return {
    event: run.status === 'unconfirmed' ? 'export.unconfirmed' : 'export.failed',
    runId: run.id,
    customer: run.customer,
    scheduleId: run.scheduleId,
    recipient: run.recipient,
    source: run.source,
    reason: run.error ?? 'Unknown error',
    errorCode: run.errorCode,
    attempts: run.attempts,
    queuedAt: run.createdAt.toISOString(),
    failedAt: (run.finishedAt ?? now).toISOString(),
    schedulePaused,
  };
}

/** The event in lines of text, for the alert email. */
export function describe(event: ExportFailedEvent): string[] {
  const origin =
    event.scheduleId === null ? `Asked for through: ${event.source}` : `Schedule: ${event.scheduleId}`;
  const lines = [
    event.event === 'export.unconfirmed'
      ? `Export ${event.runId} of ${event.customer} for ${event.recipient} may have been delivered: the mail server's answer was lost, so it will not be sent again by itself. If it did not arrive, resend it with POST /exports/${event.runId}/resend.`
      : `Export ${event.runId} of ${event.customer} for ${event.recipient} failed and will not be retried.`,
    `Reason: ${firstLine(event.reason)}`,
    `Error code: ${event.errorCode ?? 'none'}`,
    origin,
    `Attempts: ${event.attempts}`,
    `Queued at: ${event.queuedAt}`,
    `Failed at: ${event.failedAt}`,
  ];
  if (event.schedulePaused)
    lines.push(
      `Schedule ${event.scheduleId} has been paused because its latest due times all failed. Fix the cause, then enable it again with PATCH /schedules/${event.scheduleId} {"enabled":true}.`,
    );
  lines.push(`Details: GET /exports/${event.runId}`);
  return lines;
}
