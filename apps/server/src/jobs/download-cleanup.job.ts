import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DownloadService } from '@spotlight/core';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { IntervalJob } from './interval.job';

/** Deletes expired download links and their files, every `downloadCleanupMs`. */
@Injectable()
export class DownloadCleanupJob extends IntervalJob {
  protected readonly intervalName = 'download-cleanup';
  private readonly logger = new Logger('DownloadCleanup');

  constructor(
    private readonly downloads: DownloadService,
    registry: SchedulerRegistry,
    @Inject(SERVER_SETTINGS) settings: ServerSettings,
  ) {
    super(registry, settings);
  }

  protected everyMs(): number {
    return this.settings.downloadCleanupMs;
  }

  protected tick(): Promise<number> {
    return this.purge();
  }

  /** Thin, so tests can call it; several instances may run it at once, deleting twice is harmless. */
  async purge(): Promise<number> {
    try {
      const purged = await this.downloads.purgeExpired();
      if (purged > 0) this.logger.log(`deleted ${purged} expired download(s)`);
      return purged;
    } catch (error) {
      this.logger.error(`could not delete expired downloads: ${(error as Error).message}`);
      return 0;
    }
  }
}
