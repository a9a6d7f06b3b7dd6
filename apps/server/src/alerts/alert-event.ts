import { firstLine, type RunRecord, type ScheduleRecord } from '@spotlight/core';

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
      `Schedule ${event.scheduleId} has been paused because its latest due times all failed. Fix the cause, then enable it again with "spotlight schedules resume ${event.scheduleId}" or PATCH /schedules/${event.scheduleId} {"enabled":true}.`,
    );
  lines.push(`Details: GET /exports/${event.runId}`);
  return lines;
}

/** The JSON body POSTed when a recipient stopped their schedule with the link in its email. */
export interface ScheduleUnsubscribedEvent {
  event: 'schedule.unsubscribed';
  scheduleId: number;
  customer: string;
  recipient: string;
  unsubscribedAt: string;
}

/** What support is told when a recipient stops their schedule with its email's link. */
export function unsubscribedNotice(
  schedule: ScheduleRecord,
  at: Date,
): { event: ScheduleUnsubscribedEvent; subject: string; lines: string[] } {
  const event: ScheduleUnsubscribedEvent = {
    event: 'schedule.unsubscribed',
    scheduleId: schedule.id,
    customer: schedule.customer,
    recipient: schedule.recipient,
    unsubscribedAt: at.toISOString(),
  };
  const lines = [
    `${schedule.recipient} stopped schedule ${schedule.id} (the user activity export of ${schedule.customer}) with the unsubscribe link of its email; it is paused and sends nothing more.`,
    `Only if they ask for it again, resume it with "spotlight schedules resume ${schedule.id}" or PATCH /schedules/${schedule.id} {"enabled":true}; that makes the links already mailed stop working.`,
    `Unsubscribed at: ${event.unsubscribedAt}`,
    `Details: GET /schedules/${schedule.id}`,
  ];
  const subject = `Schedule unsubscribed: ${schedule.customer} (schedule ${schedule.id})`;
  return { event, subject, lines };
}
