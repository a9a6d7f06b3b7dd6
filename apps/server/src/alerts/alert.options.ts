import type { AlertChannel } from '@spotlight/core';

export interface AlertOptions {
  /** Support's addresses; each gets its own notice, with only itself as To. */
  emails: string[];
  webhookUrl?: string;
  /** The longest wait for the notice email, and for each try at the webhook. */
  timeoutMs: number;
  webhookAttempts: number;
  /** A schedule whose due times fail this many times in a row is paused. */
  scheduleMaxFailures: number;
  mailFrom: string;
  /** The wait before retrying an undelivered notice; it doubles after each further failure, up to an hour. */
  retryBaseMs: number;
}

/** Counts what could not be delivered (the metrics). */
export interface AlertTelemetry {
  alertFailed(channel: AlertChannel): void;
}
