import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AlertService } from '../alerts/alert.service';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { IntervalJob } from './interval.job';

/** Retries failure notices that could not be delivered, kept by any instance. */
@Injectable()
export class AlertRetryJob extends IntervalJob {
  protected readonly intervalName = 'alert-retry';
  private inFlight: Promise<number> | null = null;

  constructor(
    private readonly alerts: AlertService,
    registry: SchedulerRegistry,
    @Inject(SERVER_SETTINGS) settings: ServerSettings,
  ) {
    super(registry, settings);
  }

  /** As often as the shortest wait between attempts, and at least every 30 s. */
  protected everyMs(): number {
    return Math.min(this.settings.alerts.retryBaseMs, 30_000);
  }

  /** A pass slowed by unreachable targets is not joined by the next one: claims make that safe, not useful. */
  protected tick(): Promise<number> {
    this.inFlight ??= this.retry().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Thin, so tests can call it. */
  retry(): Promise<number> {
    return this.alerts.retryDue();
  }
}
