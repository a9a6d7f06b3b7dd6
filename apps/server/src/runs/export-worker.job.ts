import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { IntervalJob } from '../jobs/interval.job';
import { inRunLogScope } from '../logging/run-log-context';
import { ExportRunner } from './export-runner.service';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The export worker of this instance: on every poll (and when an export is
 * queued here) it runs due exports, `workerConcurrency` at a time, until none is left.
 * On shutdown it stops claiming and waits for the export in flight.
 */
@Injectable()
export class ExportWorkerJob extends IntervalJob {
  protected readonly intervalName = 'export-worker';
  private readonly logger = new Logger('ExportWorker');
  private draining: Promise<void> | null = null;
  private wokenWhileDraining = false;
  private stopping = false;

  constructor(
    private readonly runner: ExportRunner,
    registry: SchedulerRegistry,
    @Inject(SERVER_SETTINGS) settings: ServerSettings,
  ) {
    super(registry, settings);
  }

  protected everyMs(): number {
    return this.settings.workerPollMs;
  }

  protected tick(): Promise<void> {
    this.wake();
    return Promise.resolve();
  }

  /** Starts draining the queue unless this instance already is. */
  wake(): void {
    if (!this.settings.background || this.stopping) return;
    if (this.draining) {
      this.wokenWhileDraining = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
  }

  /** Runs one due export, if any; true when it did. */
  async runOnce(): Promise<boolean> {
    try {
      const run = await this.runner.runNext();
      if (run)
        this.logger.log(
          `export ${run.id} for ${run.customer}: ${run.status}${run.error ? ` (${run.error})` : ''}`,
        );
      return run !== null;
    } catch (error) {
      this.logger.error(`could not run exports: ${(error as Error).message}`);
      return false;
    }
  }

  override async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await super.beforeApplicationShutdown();
    if (this.draining) {
      this.logger.log('waiting for the export in flight to finish');
      const finished = await Promise.race([
        this.draining.then(() => true),
        sleep(this.settings.shutdownGraceMs).then(() => false),
      ]);
      if (!finished) {
        // Stuck work must not keep the process: another instance takes it once its lease lapses.
        this.logger.warn(
          'abandoning the exports still in flight; another instance takes them when their leases lapse',
        );
        this.runner.abandonInFlight();
      }
    }
  }

  private async drain(): Promise<void> {
    do {
      this.wokenWhileDraining = false;
      await Promise.all(
        Array.from({ length: this.settings.workerConcurrency }, async () => {
          while (!this.stopping && (await inRunLogScope(() => this.runOnce())));
        }),
      );
    } while (this.wokenWhileDraining && !this.stopping);
  }
}
