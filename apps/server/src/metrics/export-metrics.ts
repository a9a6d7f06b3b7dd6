import { Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  buildInfo,
  DeliveryUnconfirmedError,
  MailDeliveryError,
  firstLine,
  type AlertChannel,
  type ExportSummary,
  type RunRecord,
} from '@spotlight/core';
import { within } from '../health/within';
import type { QueueMetricsRepository, QueueState } from './queue-metrics.repository';

export interface ExportMetricsOptions {
  /** The longest a scrape waits for the queue's numbers. */
  queueTimeoutMs: number;
  clock?: () => Date;
}

/** Seconds; exports of a small customer take well under a second, 100k users about 10 s. */
const DURATION_BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640];
/** Bytes, up to well past the default 20 MiB attachment limit. */
const SIZE_BUCKETS = [16e3, 64e3, 256e3, 1e6, 4e6, 10e6, 20e6, 50e6, 100e6, 250e6];
/** Seconds; API answers take milliseconds, a streamed download of a big customer tens of seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Every pair of labels a run counter can have, present at 0 before the first run. */
const RUN_OUTCOMES = ['sent', 'failed', 'unconfirmed'] as const;
const SERVER_RUN_SOURCES = ['api', 'schedule'] as const;

const LAG_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 3600];

/**
 * The Prometheus metrics of one instance, in their own registry (so several
 * apps in one process, as in the tests, do not share counters). Counters and
 * histograms count what this instance did since it started; the queue's
 * gauges are read from the database at each scrape, so every instance reports
 * the same queue.
 */
export class ExportMetrics {
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly clock: () => Date;
  private readonly startedAt: Date;
  private lastTickAt: Date | null = null;
  private queueRead: Promise<QueueState | null> | null = null;

  private readonly runsFinished: Counter<'outcome' | 'source'>;
  private readonly duration: Histogram;
  private readonly size: Histogram;
  private readonly smtpFailures: Counter;
  private readonly alertsFailed: Counter<'channel'>;
  private readonly schedulerLag: Histogram;
  private readonly lastTick: Gauge;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(
    private readonly queue: QueueMetricsRepository,
    private readonly options: ExportMetricsOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.startedAt = this.clock();
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.runsFinished = new Counter({
      name: 'spotlight_runs_finished_total',
      help: 'Export runs this instance finished, by outcome (sent, failed, unconfirmed) and source (api, schedule).',
      labelNames: ['outcome', 'source'],
      registers,
    });
    // A rate over a counter that appears only at its first increment misses that increment.
    for (const outcome of RUN_OUTCOMES)
      for (const source of SERVER_RUN_SOURCES) this.runsFinished.inc({ outcome, source }, 0);
    this.duration = new Histogram({
      name: 'spotlight_export_duration_seconds',
      help: 'How long a sent export took, from its first query to the email handed over.',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.size = new Histogram({
      name: 'spotlight_export_size_bytes',
      help: 'Size of the workbook of a sent export.',
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.smtpFailures = new Counter({
      name: 'spotlight_smtp_failures_total',
      help: 'Export deliveries the SMTP server refused or that could not reach it (each attempt counts).',
      registers,
    });
    this.alertsFailed = new Counter({
      name: 'spotlight_alerts_failed_total',
      help: 'Failure notices that could not be delivered, by channel (email, webhook); each attempt counts.',
      labelNames: ['channel'],
      registers,
    });
    for (const channel of ['email', 'webhook']) this.alertsFailed.inc({ channel }, 0);
    this.schedulerLag = new Histogram({
      name: 'spotlight_scheduler_lag_seconds',
      help: 'From a schedule due time to its run being queued by this instance.',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.lastTick = new Gauge({
      name: 'spotlight_scheduler_last_tick_timestamp_seconds',
      help: 'When the scheduler of this instance last planned due runs (Unix time); 0 before its first tick.',
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests answered by this instance, by method, route pattern (unmatched: no route) and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    const build = buildInfo();
    new Gauge({
      name: 'spotlight_build_info',
      help: 'Always 1; the labels say which build this instance runs.',
      labelNames: ['version', 'commit', 'node'],
      registers,
    }).set({ version: build.version, commit: build.commit, node: process.version }, 1);
    const depth: Gauge = new Gauge({
      name: 'spotlight_queue_depth',
      help: 'Queued runs, due or waiting for a retry (read from the database at each scrape; NaN if it did not answer in time).',
      registers,
      collect: async () => {
        const state = await this.queueThisScrape();
        depth.set(state ? state.depth : NaN);
      },
    });
    const oldestAge: Gauge = new Gauge({
      name: 'spotlight_queue_oldest_age_seconds',
      help: 'How long the longest-waiting due run has waited to be claimed; 0 when none is due (NaN if the database did not answer in time).',
      registers,
      collect: async () => {
        const state = await this.queueThisScrape();
        oldestAge.set(state ? this.ageSeconds(state.oldestDueAt) : NaN);
      },
    });
  }

  /** When the scheduler last finished a tick; null before its first. */
  get lastSchedulerTickAt(): Date | null {
    return this.lastTickAt;
  }

  /** When these metrics started counting: the baseline before the first tick. */
  get started(): Date {
    return this.startedAt;
  }

  /** The scheduler finished a tick and queued these runs. */
  schedulerTicked(queued: readonly Pick<RunRecord, 'dueAt' | 'createdAt'>[]): void {
    this.lastTickAt = this.clock();
    this.lastTick.set(this.lastTickAt.getTime() / 1000);
    for (const run of queued) {
      if (run.dueAt)
        this.schedulerLag.observe(Math.max(0, run.createdAt.getTime() - run.dueAt.getTime()) / 1000);
    }
  }

  runSent(run: RunRecord, summary: ExportSummary): void {
    this.runsFinished.inc({ outcome: 'sent', source: run.source });
    this.duration.observe(summary.durationMs / 1000);
    this.size.observe(summary.bytes);
  }

  /** A run that ended without a confirmed delivery: failed, or unconfirmed (it may have arrived). */
  runFailed(run: Pick<RunRecord, 'source' | 'status'>): void {
    this.runsFinished.inc({
      outcome: run.status === 'unconfirmed' ? 'unconfirmed' : 'failed',
      source: run.source,
    });
  }

  attemptFailed(error: unknown): void {
    if (error instanceof MailDeliveryError || error instanceof DeliveryUnconfirmedError)
      this.smtpFailures.inc();
  }

  /**
   * An HTTP request was answered. `route` is the route's pattern
   * (`/exports/:id`), never the URL: ids and download tokens are no labels.
   */
  httpRequestFinished(method: string, route: string | null, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route: route ?? 'unmatched', status: String(status) }, seconds);
  }

  /** A failure notice could not be delivered on this channel (it is retried, or given up). */
  alertFailed(channel: AlertChannel): void {
    this.alertsFailed.inc({ channel });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    // Both queue gauges share one read per scrape.
    this.queueRead = null;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private queueThisScrape(): Promise<QueueState | null> {
    this.queueRead ??= this.readQueue();
    return this.queueRead;
  }

  private ageSeconds(oldestDueAt: Date | null): number {
    if (!oldestDueAt) return 0;
    return Math.max(0, this.clock().getTime() - oldestDueAt.getTime()) / 1000;
  }

  /** The queue's numbers, or null when the database did not answer within the bound. */
  private async readQueue(): Promise<QueueState | null> {
    try {
      return await within(this.queue.queueState(), this.options.queueTimeoutMs, 'the database');
    } catch (error) {
      this.logger.warn(`could not read the queue for the metrics: ${firstLine((error as Error).message)}`);
      return null;
    }
  }
}
