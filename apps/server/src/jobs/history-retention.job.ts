import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { HistoryRetentionService } from '../history/history-retention.service';
import { IntervalJob } from './interval.job';

/** Deletes runs and audit entries older than `historyDays`, every `historyCleanupMs`. */
@Injectable()
export class HistoryRetentionJob extends IntervalJob {
  protected readonly intervalName = 'history-retention';
  private readonly logger = new Logger('HistoryRetention');

  constructor(
    private readonly history: HistoryRetentionService,
    registry: SchedulerRegistry,
    @Inject(SERVER_SETTINGS) settings: ServerSettings,
  ) {
    super(registry, settings);
  }

  protected everyMs(): number {
    return this.settings.historyCleanupMs;
  }

  protected tick(): Promise<unknown> {
    return this.purge();
  }

  /** Thin, so tests can call it; several instances may run it at once, deleting twice is harmless. */
  async purge(): Promise<{ runs: number; auditEntries: number }> {
    try {
      const purged = await this.history.purge();
      if (purged.runs + purged.auditEntries > 0)
        this.logger.log(
          `deleted ${purged.runs} run(s) and ${purged.auditEntries} audit entr(ies) older than ${this.settings.historyDays} days`,
        );
      return purged;
    } catch (error) {
      this.logger.error(`could not delete old history: ${(error as Error).message}`);
      return { runs: 0, auditEntries: 0 };
    }
  }
}
