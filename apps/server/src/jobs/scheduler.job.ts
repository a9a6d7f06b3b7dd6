import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { ExportMetrics } from '../metrics/export-metrics';
import { ExportWorkerJob } from '../runs/export-worker.job';
import { ScheduleService } from '../schedules/schedule.service';
import { IntervalJob } from './interval.job';

/** The scheduler of this instance: every tick turns due schedules into queued runs. */
@Injectable()
export class SchedulerJob extends IntervalJob {
  protected readonly intervalName = 'export-scheduler';
  private readonly logger = new Logger('Scheduler');
  private ticking = false;

  constructor(
    private readonly schedules: ScheduleService,
    private readonly worker: ExportWorkerJob,
    private readonly metrics: ExportMetrics,
    registry: SchedulerRegistry,
    @Inject(SERVER_SETTINGS) settings: ServerSettings,
  ) {
    super(registry, settings);
  }

  protected everyMs(): number {
    return this.settings.schedulerTickMs;
  }

  /** Queues the runs that are due now; thin, so tests can call it. */
  async tick(): Promise<number> {
    if (this.ticking) return 0;
    this.ticking = true;
    try {
      const queued = await this.schedules.planDueRuns();
      this.metrics.schedulerTicked(queued);
      if (queued.length > 0) {
        this.logger.log(
          `queued ${queued.map((run) => `export ${run.id} (schedule ${run.scheduleId}, due ${run.dueAt?.toISOString()})`).join(', ')}`,
        );
        this.worker.wake();
      }
      return queued.length;
    } catch (error) {
      this.logger.error(`could not plan scheduled exports: ${(error as Error).message}`);
      return 0;
    } finally {
      this.ticking = false;
    }
  }
}
