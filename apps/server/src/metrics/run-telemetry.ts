import type { ExportSummary, RunRecord } from '@spotlight/core';
import { nameRunInLogs } from '../logging/run-log-context';
import type { ExportMetrics } from './export-metrics';

/** What the runner tells about the runs it works on: one call per event. */
export interface RunObserver {
  /** This instance took the run. */
  runClaimed(run: RunRecord): void;
  /** The email went out and the run was recorded as sent. */
  runSent(run: RunRecord, summary: ExportSummary): void;
  /** This instance recorded the run as failed for good. */
  runFailed(run: RunRecord): void;
  /** One attempt failed (it may be retried); `error` as the runner explained it. */
  attemptFailed(error: unknown): void;
}

/** Turns the runner's events into log context and metrics. */
export class RunTelemetry implements RunObserver {
  constructor(private readonly metrics: ExportMetrics) {}

  runClaimed(run: RunRecord): void {
    nameRunInLogs(run.id);
  }

  runSent(run: RunRecord, summary: ExportSummary): void {
    this.metrics.runSent(run, summary);
  }

  runFailed(run: RunRecord): void {
    this.metrics.runFailed(run);
  }

  attemptFailed(error: unknown): void {
    this.metrics.attemptFailed(error);
  }
}
