import { Logger } from '@nestjs/common';
import {
  escapeHtml,
  firstLine,
  maskUrl,
  type MailRepository,
  type RunRecord,
  type RunRepository,
} from '@spotlight/core';
import type { AuditRepository } from '../audit/audit.repository';
import type { ScheduleRepository } from '../schedules/schedule.repository';

/**
 * Told once about each run the runner finally fails, or whose delivery it
 * could not confirm (status `unconfirmed`), after that is recorded.
 */
export interface RunFailureListener {
  /** Never throws, and returns within a bound whatever the alert targets do. */
  runFailed(run: RunRecord): Promise<void>;
}

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

export interface AlertOptions {
  /** Support's addresses; each gets its own notice, with only itself as To. */
  emails: string[];
  webhookUrl?: string;
  /** The longest wait for the notice email, and for each try at the webhook. */
  timeoutMs: number;
  webhookAttempts: number;
  /** A schedule whose due times fail this many times in a row is paused. */
  scheduleMaxFailures: number;
  mailFrom: string;
  /** Wait after a failed webhook try; doubles each time. */
}

class AlertTimeoutError extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** The wait after the first failed webhook try; it doubles after each further one. */
const WEBHOOK_RETRY_BASE_MS = 250;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AlertTimeoutError(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Makes a run that finally failed reach a person: pauses a schedule that has
 * failed too many due times in a row, then emails support and posts to the
 * webhook. Nothing here changes the run, and nothing here throws: an alert
 * that cannot be delivered is logged and recorded in the audit trail.
 */
export class AlertService implements RunFailureListener {
  private readonly logger = new Logger('Alerts');

  constructor(
    private readonly runs: RunRepository,
    private readonly schedules: ScheduleRepository,
    private readonly audit: AuditRepository,
    private readonly mail: MailRepository,
    private readonly options: AlertOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async runFailed(run: RunRecord): Promise<void> {
    let schedulePaused = false;
    try {
      schedulePaused = await this.pauseIfFailingInARow(run);
    } catch (error) {
      this.logger.error(`could not check schedule ${run.scheduleId} after run ${run.id}: ${message(error)}`);
    }
    const event = toEvent(run, schedulePaused, this.clock());
    const outcomes = await Promise.all([
      ...this.options.emails.map((to) => this.attempt(run, `email:${to}`, () => this.email(event, to))),
      ...(this.options.webhookUrl
        ? [this.attempt(run, 'webhook', () => this.postWebhook(event, this.options.webhookUrl!))]
        : []),
    ]);
    const sent = outcomes.filter((channel): channel is string => channel !== null);
    if (sent.length > 0)
      await this.record({ tokenId: null, action: 'alert.sent', target: `run:${run.id}`, detail: { sent } });
  }

  private async pauseIfFailingInARow(run: RunRecord): Promise<boolean> {
    if (run.scheduleId === null) return false;
    const schedule = await this.schedules.findById(run.scheduleId);
    if (!schedule?.enabled) return false;
    const limit = this.options.scheduleMaxFailures;
    // Runs from before the schedule was last changed (re-enabled, say) do not count against it.
    const latest = await this.runs.recentFinishedForSchedule(schedule.id, limit, schedule.updatedAt);
    if (latest.length < limit || latest.some((finished) => finished.status !== 'failed')) return false;
    if (!(await this.schedules.pauseBySystem(schedule.id, this.clock()))) return false;
    this.logger.warn(`paused schedule ${schedule.id}: its last ${limit} due times failed`);
    await this.record({
      tokenId: null,
      action: 'schedule.pause',
      target: `schedule:${schedule.id}`,
      detail: { by: 'system', failuresInARow: limit, runIds: latest.map((failed) => failed.id) },
    });
    return true;
  }

  /** Runs one channel; the channel's name when it got through, null (logged and audited) when not. */
  private async attempt(run: RunRecord, channel: string, send: () => Promise<void>): Promise<string | null> {
    try {
      await send();
      return channel;
    } catch (error) {
      this.logger.error(`could not alert ${channel} about failed export ${run.id}: ${message(error)}`);
      await this.record({
        tokenId: null,
        action: 'alert.failed',
        target: `run:${run.id}`,
        detail: { channel, error: message(error) },
      });
      return null;
    }
  }

  private async email(event: ExportFailedEvent, to: string): Promise<void> {
    const lines = describe(event);
    await within(
      this.mail.send({
        from: this.options.mailFrom,
        to,
        subject: `${event.event === 'export.unconfirmed' ? 'Export delivery unconfirmed' : 'Export failed'}: ${event.customer} (run ${event.runId})${event.schedulePaused ? ', schedule paused' : ''}`,
        text: `${lines.join('\n')}\n`,
        html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
      }),
      this.options.timeoutMs,
      'sending the notice email',
    );
  }

  private async postWebhook(event: ExportFailedEvent, url: string): Promise<void> {
    const attempts = this.options.webhookAttempts;
    const base = WEBHOOK_RETRY_BASE_MS;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return;
        const failure = new Error(`${maskUrl(url)} answered ${response.status}`);
        // A refusal of the request itself (bad URL, auth) will not change on another try.
        if (response.status < 500 && response.status !== 429) throw Object.assign(failure, { final: true });
        throw failure;
      } catch (error) {
        const reason =
          (error as Error).name === 'TimeoutError'
            ? new Error(`${maskUrl(url)} did not answer within ${this.options.timeoutMs} ms`)
            : error;
        if (attempt >= attempts || (error as { final?: boolean }).final)
          throw new Error(`${message(reason)} (${attempt} of ${attempts} tries)`);
        await sleep(base * 2 ** (attempt - 1));
      }
    }
  }

  private async record(entry: Parameters<AuditRepository['record']>[0]): Promise<void> {
    try {
      await this.audit.record(entry);
    } catch (error) {
      this.logger.error(`could not record ${entry.action} for ${entry.target}: ${message(error)}`);
    }
  }
}

function toEvent(run: RunRecord, schedulePaused: boolean, now: Date): ExportFailedEvent {
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

function describe(event: ExportFailedEvent): string[] {
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

function message(error: unknown): string {
  return firstLine(error instanceof Error ? error.message : String(error)) || 'Unknown error';
}
