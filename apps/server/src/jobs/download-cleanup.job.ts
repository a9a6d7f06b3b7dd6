import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DownloadService } from '@spotlight/core';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';

/** Deletes expired download links and their files, every `downloadCleanupMs`. */
@Injectable()
export class DownloadCleanupJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DownloadCleanup');

  constructor(
    private readonly downloads: DownloadService,
    private readonly registry: SchedulerRegistry,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.background) return;
    this.registry.addInterval(
      'download-cleanup',
      setInterval(() => void this.purge(), this.settings.downloadCleanupMs),
    );
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

  beforeApplicationShutdown(): void {
    if (this.registry.doesExist('interval', 'download-cleanup'))
      this.registry.deleteInterval('download-cleanup');
  }
}
