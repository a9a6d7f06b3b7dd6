import { Logger } from '@nestjs/common';
import {
  escapeHtml,
  firstLine,
  maskUrl,
  type AlertChannel,
  type MailRepository,
  type PendingAlertRecord,
  type RunRecord,
  type RunRepository,
  type ScheduleRecord,
  scheduleTarget,
} from '@spotlight/core';
import type { AuditRepository } from '../audit/audit.repository';
import type { ScheduleRepository } from '../schedules/schedule.repository';
import { within } from '../health/within';
import { describe, toEvent, unsubscribedNotice, type ExportFailedEvent } from './alert-event';
import type { PendingAlertRepository } from './pending-alert.repository';

import type { AlertOptions, AlertTelemetry } from './alert.options';

export type { ExportFailedEvent, ScheduleUnsubscribedEvent } from './alert-event';
export type { AlertOptions, AlertTelemetry } from './alert.options';

/**
 * Told once about each run the runner finally fails, or whose delivery it
 * could not confirm (status `unconfirmed`), after that is recorded.
 */
export interface RunFailureListener {
  /** Never throws, and returns within a bound whatever the alert targets do. */
  runFailed(run: RunRecord): Promise<void>;
}

/** One notice of one failure: to one address, or to the webhook. */
interface Delivery {
  channel: AlertChannel;
  /** The address; null for the webhook. */
  target: string | null;
}

/** An undelivered notice is retried for this long after the run failed, then given up (loudly). */
export const ALERT_RETRY_FOR_MS = 24 * 3_600_000;
const ALERT_RETRY_MAX_WAIT_MS = 3_600_000;
/** Alerts one call of {@link AlertService.retryDue} delivers at most; the next tick takes the rest. */
const RETRY_BATCH = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** The wait after the first failed webhook try; it doubles after each further one. */
const WEBHOOK_RETRY_BASE_MS = 250;

/**
 * Makes a run that finally failed reach a person: pauses a schedule that has
 * failed too many due times in a row, then emails support (through
 * SPOTLIGHT_ALERT_SMTP_URL when set) and posts to the webhook. Nothing here
 * changes the run, and nothing here throws: a notice that cannot be delivered
 * is logged at error level, counted, recorded in the audit trail and kept in
 * the database, where any instance retries it with backoff for a day.
 */
export class AlertService implements RunFailureListener {
  private readonly logger = new Logger('Alerts');

  constructor(
    private readonly runs: RunRepository,
    private readonly schedules: ScheduleRepository,
    private readonly audit: AuditRepository,
    private readonly mail: MailRepository,
    private readonly pending: PendingAlertRepository,
    private readonly telemetry: AlertTelemetry,
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
    const deliveries: Delivery[] = [
      ...this.options.emails.map((to) => ({ channel: 'email' as const, target: to })),
      ...(this.options.webhookUrl ? [{ channel: 'webhook' as const, target: null }] : []),
    ];
    const outcomes = await Promise.all(deliveries.map((delivery) => this.attempt(run.id, delivery, event)));
    const sent = outcomes.filter((channel): channel is string => channel !== null);
    if (sent.length > 0)
      await this.record({ tokenId: null, action: 'alert.sent', target: `run:${run.id}`, detail: { sent } });
  }

  /**
   * Tells support that a recipient stopped their schedule with the link in
   * its email: one notice to each address and the webhook, each tried once
   * (the webhook up to its attempts). Never throws; a notice that cannot be
   * delivered is logged, counted and recorded as `alert.failed`.
   */
  async scheduleUnsubscribed(schedule: ScheduleRecord, at: Date): Promise<void> {
    const { event, subject, lines } = unsubscribedNotice(schedule, at);
    const deliveries: Delivery[] = [
      ...this.options.emails.map((to) => ({ channel: 'email' as const, target: to })),
      ...(this.options.webhookUrl ? [{ channel: 'webhook' as const, target: null }] : []),
    ];
    const target = `schedule:${schedule.id}`;
    const outcomes = await Promise.all(
      deliveries.map(async (delivery) => {
        const channel = channelName(delivery);
        try {
          if (delivery.channel === 'email') await this.sendNotice(delivery.target!, subject, lines);
          else await this.postWebhook(event, this.options.webhookUrl!, this.options.webhookAttempts);
          return channel;
        } catch (error) {
          this.telemetry.alertFailed(delivery.channel);
          this.logger.error(
            `could not alert ${channel} that schedule ${schedule.id} was unsubscribed: ${message(error)}`,
          );
          await this.record({
            tokenId: null,
            action: 'alert.failed',
            target,
            detail: { channel, error: message(error) },
          });
          return null;
        }
      }),
    );
    const sent = outcomes.filter((channel): channel is string => channel !== null);
    if (sent.length > 0) await this.record({ tokenId: null, action: 'alert.sent', target, detail: { sent } });
  }

  /**
   * Retries undelivered notices that are due, from any instance: each is
   * claimed atomically, so two instances never send the same one. Returns how
   * many got through. Never throws.
   */
  async retryDue(): Promise<number> {
    let delivered = 0;
    try {
      for (let taken = 0; taken < RETRY_BATCH; taken += 1) {
        const alert = await this.pending.claimDue(this.clock(), this.claimLeaseMs());
        if (!alert) break;
        if (await this.retry(alert)) delivered += 1;
      }
    } catch (error) {
      this.logger.error(`could not retry undelivered alerts: ${message(error)}`);
    }
    return delivered;
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
      target: scheduleTarget(schedule.id),
      detail: { by: 'system', failuresInARow: limit, runIds: latest.map((failed) => failed.id) },
    });
    return true;
  }

  /**
   * The first attempt at one notice: the channel's name when it got through;
   * null when not, after logging, counting and recording it and keeping it for a retry.
   */
  private async attempt(runId: number, delivery: Delivery, event: ExportFailedEvent): Promise<string | null> {
    const channel = channelName(delivery);
    try {
      await this.deliver(delivery, event, this.options.webhookAttempts);
      return channel;
    } catch (error) {
      const now = this.clock();
      const retryAt = new Date(now.getTime() + this.options.retryBaseMs);
      this.failed(runId, delivery, error, `retrying at ${retryAt.toISOString()}`);
      await this.record({
        tokenId: null,
        action: 'alert.failed',
        target: `run:${runId}`,
        detail: { channel, error: message(error) },
      });
      try {
        await this.pending.insert(
          {
            runId,
            channel: delivery.channel,
            target: delivery.target,
            event: { ...event },
            attempts: 1,
            nextAttemptAt: retryAt,
            giveUpAt: new Date(now.getTime() + ALERT_RETRY_FOR_MS),
            lastError: message(error).slice(0, 2_000),
          },
          now,
        );
      } catch (keepError) {
        this.logger.error(
          `could not keep the alert ${channel} about failed export ${runId} for a retry: ${message(keepError)}`,
        );
      }
      return null;
    }
  }

  /** One more attempt at a pending notice; true when it got through. */
  private async retry(alert: PendingAlertRecord): Promise<boolean> {
    const delivery: Delivery = { channel: alert.channel, target: alert.target };
    const channel = channelName(delivery);
    const attempts = alert.attempts + 1;
    try {
      await this.deliver(delivery, alert.event as unknown as ExportFailedEvent, 1);
    } catch (error) {
      const now = this.clock();
      const wait = Math.min(this.options.retryBaseMs * 2 ** (attempts - 1), ALERT_RETRY_MAX_WAIT_MS);
      const retryAt = new Date(now.getTime() + wait);
      if (retryAt <= alert.giveUpAt) {
        this.failed(
          alert.runId,
          delivery,
          error,
          `attempt ${attempts}, retrying at ${retryAt.toISOString()}`,
        );
        await this.pending.retryLater(alert, retryAt, message(error).slice(0, 2_000));
        return false;
      }
      this.failed(alert.runId, delivery, error, `attempt ${attempts}; given up, nobody was told`);
      await this.pending.remove(alert);
      await this.record({
        tokenId: null,
        action: 'alert.failed',
        target: `run:${alert.runId}`,
        detail: { channel, error: message(error), attempts, final: true },
      });
      return false;
    }
    await this.pending.remove(alert);
    this.logger.log(`alerted ${channel} about failed export ${alert.runId} at attempt ${attempts}`);
    await this.record({
      tokenId: null,
      action: 'alert.sent',
      target: `run:${alert.runId}`,
      detail: { sent: [channel], attempts },
    });
    return true;
  }

  private async deliver(
    delivery: Delivery,
    event: ExportFailedEvent,
    webhookAttempts: number,
  ): Promise<void> {
    if (delivery.channel === 'email') return this.email(event, delivery.target!);
    if (!this.options.webhookUrl) throw new Error('SPOTLIGHT_ALERT_WEBHOOK_URL is no longer set');
    return this.postWebhook(event, this.options.webhookUrl, webhookAttempts);
  }

  /** An attempt failed: an error line and the metric, whatever happens next. */
  private failed(runId: number, delivery: Delivery, error: unknown, next: string): void {
    this.telemetry.alertFailed(delivery.channel);
    this.logger.error(
      `could not alert ${channelName(delivery)} about failed export ${runId}: ${message(error)} (${next})`,
    );
  }

  /** Long enough for one attempt to end within its bounds; a claim older than this was abandoned. */
  private claimLeaseMs(): number {
    return Math.max(10_000, 3 * this.options.timeoutMs);
  }

  private async email(event: ExportFailedEvent, to: string): Promise<void> {
    await this.sendNotice(
      to,
      `${event.event === 'export.unconfirmed' ? 'Export delivery unconfirmed' : 'Export failed'}: ${event.customer} (run ${event.runId})${event.schedulePaused ? ', schedule paused' : ''}`,
      describe(event),
    );
  }

  private async sendNotice(to: string, subject: string, lines: string[]): Promise<void> {
    await within(
      this.mail.send({
        from: this.options.mailFrom,
        to,
        subject,
        text: `${lines.join('\n')}\n`,
        html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
      }),
      this.options.timeoutMs,
      'sending the notice email',
    );
  }

  private async postWebhook(event: object, url: string, attempts: number): Promise<void> {
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

function channelName(delivery: Delivery): string {
  return delivery.channel === 'email' ? `email:${delivery.target}` : 'webhook';
}

function message(error: unknown): string {
  return firstLine(error instanceof Error ? error.message : String(error)) || 'Unknown error';
}
