import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { ServerSettings } from '../config/server.settings';

/**
 * Housekeeping that runs every so often on instances with background work:
 * registered by name, so shutdown stops it. Subclasses say what and how often.
 */
export abstract class IntervalJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected abstract readonly intervalName: string;

  constructor(
    protected readonly registry: SchedulerRegistry,
    protected readonly settings: ServerSettings,
  ) {}

  /** How often {@link tick} runs. */
  protected abstract everyMs(): number;

  /** One run; it reports its own failures, so a tick never throws. */
  protected abstract tick(): Promise<unknown>;

  onApplicationBootstrap(): void {
    if (!this.settings.background) return;
    this.registry.addInterval(
      this.intervalName,
      setInterval(() => void this.tick(), this.everyMs()),
    );
  }

  beforeApplicationShutdown(): void | Promise<void> {
    if (this.registry.doesExist('interval', this.intervalName))
      this.registry.deleteInterval(this.intervalName);
  }
}
