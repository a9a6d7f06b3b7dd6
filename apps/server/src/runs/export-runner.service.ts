import {
  DatabaseUnavailableError,
  DeliveryUnconfirmedError,
  ExportInProgressError,
  StorageError,
  ExportService,
  MailDeliveryError,
  explainDatabaseError,
  firstLine,
  isSpotlightError,
  type ExportSummary,
} from '@spotlight/core';
import type { RequestedBy, RunRecord, RunRepository } from '@spotlight/core';
import type { RunFailureListener } from '../alerts/alert.service';
import type { ExportSlotRepository } from './export-slot.repository';
import type { RunObserver } from '../metrics/run-telemetry';

export interface ExportRunnerOptions {
  instanceId: string;
  leaseMs: number;
  /** Attempts at a transient failure (mail or database) before the run fails; the first try counts. */
  mailMaxAttempts: number;
  /** The wait after the first failed attempt; it doubles after each further failure. */
  mailRetryBaseMs: number;
  /**
   * How long a run may wait for another export of its customer to finish,
   * counted from when it became due; then it fails CUSTOMER_BUSY.
   */
  lockWaitMaxMs: number;
  /**
   * The heartbeat renews the lease only if the export made progress within
   * this long (or is handing the email to the SMTP server, which its own
   * timeouts bound): an export stuck for longer lets its lease lapse.
   */
  progressBoundMs: number;
  /** Printed in database errors; must not contain a password. */
  databaseLabel: string;
  /** Told about each run this instance finally fails (support's alerts). */
  failures?: RunFailureListener;
  /**
   * The cap on exports reading the database at once, across instances: a run
   * is only claimed once it has a slot. None: no cap beyond this instance's concurrency.
   */
  slots?: ExportSlotRepository;
  /** Told about claims, outcomes and failed attempts (logs and metrics). */
  observer?: RunObserver;
  /** Makes the unsubscribe link of a scheduled run's email; none: the email asks to contact support. */
  unsubscribeLinks?: { linkFor(scheduleId: number, recipient: string): Promise<string | undefined> };
  /** Tries at recording a delivered run as sent before it is left delivery-started. */
  clock?: () => Date;
}

/** The longest wait between tries at recording a delivered run as sent. */
const RECORD_SENT_MAX_WAIT_MS = 2_000;

/** About how long a run waits for another export of its customer to finish before trying again. */
const LOCK_RETRY_MS = 2_000;

class LostClaimError extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs queued exports: claims one run (atomically, whichever instance asks
 * first), checks the recipient again, builds and sends the workbook through
 * the one core ExportService, and records the outcome with the claim.
 *
 * Never twice: the run is marked "delivery started" just before the SMTP
 * transaction and "sent" in the same statement that records the summary.
 * A run abandoned before delivery started is simply taken again when its lease
 * expires; one abandoned during delivery (the process died, or lost the
 * database, between the SMTP server's answer and that statement) is marked
 * unconfirmed, not resent, because it may already be in the manager's mailbox.
 * Likewise when the SMTP server's answer to the whole message is lost: every
 * attempt carries the run's one Message-ID, and only a failure before the
 * message's final "." is tried again. A permanent refusal (5xx) is not.
 *
 * A delivered run is never recorded as failed: once the email is sent, only
 * "sent" is written, retried while this instance holds the run. If it never
 * gets through, the run stays delivery-started, its lease lapses, and the
 * instance that takes it records that it may already have arrived.
 */
export class ExportRunner {
  private readonly clock: () => Date;
  private abandoned = false;

  constructor(
    private readonly runs: RunRepository,
    private readonly exports: ExportService,
    private readonly options: ExportRunnerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Claims and runs the next due run; null when there is none, or when every
   * export slot is taken (the runs wait in the queue, no attempt spent).
   * Returns the run as it was recorded.
   */
  async runNext(): Promise<RunRecord | null> {
    const slots = this.options.slots;
    if (!slots) return this.claimAndRun();
    const slot = await slots.tryAcquire();
    if (!slot) return null;
    try {
      return await this.claimAndRun();
    } finally {
      // A release that fails lost its connection, and the server freed the slot with it.
      await slot.release().catch(() => undefined);
    }
  }

  private async claimAndRun(): Promise<RunRecord | null> {
    const run = await this.runs.claimNext({
      instanceId: this.options.instanceId,
      now: this.clock(),
      leaseMs: this.options.leaseMs,
    });
    if (!run) return null;
    this.options.observer?.runClaimed(run);
    if (run.deliveryStartedAt) {
      await this.unconfirmed(
        run,
        new DeliveryUnconfirmedError(
          this.exports.messageIdOf(messageKey(run)),
          `its delivery started at ${run.deliveryStartedAt.toISOString()} and its outcome was never recorded: the instance sending it stopped, or lost the database`,
        ),
      );
      return this.runs.findById(run.id);
    }
    await this.execute(run);
    return this.runs.findById(run.id);
  }

  /**
   * For shutdown once its grace has passed: the exports still in flight are
   * left as they are. Their leases are no longer renewed and no failure or
   * retry is recorded for them, so another instance takes them when the
   * leases lapse. An email handed over meanwhile is still recorded as sent.
   */
  abandonInFlight(): void {
    this.abandoned = true;
  }

  /** Who the email says asked: the schedule, with its recipient's unsubscribe link, or a person. */
  private async requestedBy(run: RunRecord): Promise<RequestedBy | undefined> {
    if (run.scheduleId === null) return requestedByPerson(run);
    const unsubscribeUrl = await this.options.unsubscribeLinks?.linkFor(run.scheduleId, run.recipient);
    return { kind: 'schedule', scheduleId: run.scheduleId, unsubscribeUrl };
  }

  private async execute(run: RunRecord): Promise<void> {
    let lastProgress = Date.now();
    let delivering = false;
    const progressed = () => {
      lastProgress = Date.now();
    };
    const heartbeat = setInterval(
      () => {
        if (this.abandoned) return;
        if (!delivering && Date.now() - lastProgress > this.options.progressBoundMs) return;
        this.runs
          .extendLease(run, new Date(this.clock().getTime() + this.options.leaseMs))
          .catch(() => undefined);
      },
      Math.max(250, Math.floor(this.options.leaseMs / 3)),
    );
    let summary: ExportSummary;
    try {
      summary = await this.exports.exportToEmail(
        {
          customer: run.customer,
          recipient: run.recipient,
          since: run.since ?? undefined,
          until: run.until ?? undefined,
          timeZone: run.timeZone,
        },
        {
          onProgress: progressed,
          holder: `server ${this.options.instanceId}, run ${run.id}`,
          messageKey: messageKey(run),
          runId: run.id,
          requestedBy: await this.requestedBy(run),
          beforeDelivery: async () => {
            if (!(await this.runs.markDeliveryStarted(run, this.clock()))) {
              throw new LostClaimError(`Run ${run.id} is no longer claimed by this instance`);
            }
            delivering = true;
            progressed();
          },
        },
      );
    } catch (error) {
      clearInterval(heartbeat);
      if (error instanceof LostClaimError || this.abandoned) return;
      const explained = explainDatabaseError(error, this.options.databaseLabel);
      this.options.observer?.attemptFailed(explained);
      if (explained instanceof DeliveryUnconfirmedError) {
        await this.unconfirmed(run, explained);
        return;
      }
      const reason =
        firstLine(explained instanceof Error ? explained.message : String(explained)) || 'Unknown error';
      if (explained instanceof ExportInProgressError) {
        await this.waitForLock(run, explained, reason);
        return;
      }
      const transient = isTransient(explained);
      if (transient && run.attempts < this.options.mailMaxAttempts) {
        const wait = this.options.mailRetryBaseMs * 2 ** (run.attempts - 1);
        const next = new Date(this.clock().getTime() + wait);
        await this.runs.retryLater(
          run,
          `Attempt ${run.attempts} of ${this.options.mailMaxAttempts} failed, retrying at ${next.toISOString()}: ${reason}`,
          next,
        );
        return;
      }
      const prefix = transient ? `Gave up after ${run.attempts} attempts: ` : '';
      await this.fail(run, `${prefix}${reason}`, isSpotlightError(explained) ? explained.code : 'UNEXPECTED');
      return;
    }
    // The email has gone: the lease is renewed until it is recorded as sent (recordSent bounds that).
    progressed();
    try {
      await this.recordSent(run, summary);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Not a failure at first: the other export (the CLI's, or another run of
   * this customer) ends soon; try again shortly, without spending an
   * attempt. But a holder that never ends (a process stopped with Ctrl-Z)
   * must not hold the run forever: past the bound it fails, and support is told.
   */
  private async waitForLock(run: RunRecord, busy: ExportInProgressError, reason: string): Promise<void> {
    const now = this.clock().getTime();
    const giveUpAt = (run.readyAt ?? run.createdAt).getTime() + this.options.lockWaitMaxMs;
    if (now >= giveUpAt) {
      const since = busy.since ? `, since ${busy.since.toISOString()}` : '';
      await this.fail(
        run,
        `Gave up after waiting ${describeMinutes(this.options.lockWaitMaxMs)} for another export of ${run.customer} to finish (${busy.holder}${since}); end that export, then queue this one again.`,
        'CUSTOMER_BUSY',
      );
      return;
    }
    const next = new Date(Math.min(giveUpAt, now + LOCK_RETRY_MS * (0.5 + Math.random())));
    await this.runs.deferLocked(run, `Waiting, will try again at ${next.toISOString()}: ${reason}`, next);
  }

  /**
   * The one place a run finally fails: recorded, then (only by the instance
   * that recorded it) reported to the failure listener, whose bounded work
   * never changes the run.
   */
  private async fail(run: RunRecord, error: string, errorCode: string | null): Promise<void> {
    const at = this.clock();
    if (!(await this.runs.finishFailed(run, error, at, errorCode))) return;
    const failed: RunRecord = {
      ...run,
      status: 'failed',
      claimToken: null,
      leaseExpiresAt: null,
      error,
      errorCode,
      finishedAt: at,
    };
    this.options.observer?.runFailed(failed);
    await this.options.failures?.runFailed(failed);
  }

  /**
   * The run's email may have arrived: recorded as unconfirmed with its
   * Message-ID, never sent again by itself, and support is told so that
   * someone checks and, if it did not arrive, resends it on purpose.
   */
  private async unconfirmed(run: RunRecord, error: DeliveryUnconfirmedError): Promise<void> {
    const at = this.clock();
    const reason = firstLine(error.message);
    const carried = error.carried;
    if (!(await this.runs.finishUnconfirmed(run, reason, error.messageId, at, carried))) return;
    const unconfirmed: RunRecord = {
      ...run,
      status: 'unconfirmed',
      claimToken: null,
      leaseExpiresAt: null,
      messageId: error.messageId,
      ...(carried ? { delivery: carried.delivery, linkExpiresAt: carried.linkExpiresAt } : {}),
      error: reason,
      errorCode: error.code,
      finishedAt: at,
    };
    this.options.observer?.runFailed(unconfirmed);
    await this.options.failures?.runFailed(unconfirmed);
  }

  /**
   * Records a delivered run as sent; never records it as failed. A database
   * that refuses is tried again for as long as the run's lease would have
   * lasted (the heartbeat renews it meanwhile, if the database lets it), so a
   * short outage still ends in "sent"; past that, whoever claims the run next
   * records that its delivery is unconfirmed.
   */
  private async recordSent(run: RunRecord, summary: ExportSummary): Promise<void> {
    const giveUpAt = Date.now() + this.options.leaseMs;
    for (let wait = 250; ; wait = Math.min(wait * 2, RECORD_SENT_MAX_WAIT_MS)) {
      try {
        // False changes nothing here: an earlier try got through though its
        // answer was lost, or the claim was lost and its next holder reports the run.
        await this.runs.finishSent(run, summary, this.clock());
        this.options.observer?.runSent(run, summary);
        return;
      } catch {
        if (this.abandoned || Date.now() + wait > giveUpAt) return;
        await sleep(wait);
      }
    }
  }
}

/** What makes a run's Message-ID unique: the same for every attempt at it, on any instance. */
function messageKey(run: RunRecord): string {
  return `run-${run.id}.${run.createdAt.getTime()}`;
}

/** Who the email says asked: the person the request named ("Spotlight support" when none). */
function requestedByPerson(run: RunRecord): RequestedBy | undefined {
  return run.requestedBy ? { kind: 'person', name: run.requestedBy } : undefined;
}

/** "30 minutes", "1 minute", "0.05 minutes". */
function describeMinutes(ms: number): string {
  const minutes = Number((ms / 60_000).toPrecision(3));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Failures that another attempt may not meet: the mail server (unless it
 * refused for good) or the database connection, a disk that was full.
 */
function isTransient(error: unknown): boolean {
  return (
    (error instanceof MailDeliveryError && !error.permanent) ||
    (error instanceof DatabaseUnavailableError && error.transient) ||
    error instanceof StorageError
  );
}
