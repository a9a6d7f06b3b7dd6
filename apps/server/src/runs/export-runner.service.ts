import {
  ExportService,
  MailDeliveryError,
  firstLine,
  isSpotlightError,
  type MailRepository,
  type OutgoingMail,
  type SentMail,
} from '@spotlight/core';
import type { RunRecord, RunRepository } from '@spotlight/core';

export interface ExportRunnerOptions {
  instanceId: string;
  leaseMs: number;
  /** Deliveries tried before the run fails; the first try counts. */
  mailMaxAttempts: number;
  /** The wait after the first failed delivery; it doubles after each further failure. */
  mailRetryBaseMs: number;
  clock?: () => Date;
}

/** Builds the export service for one run, sending through `mail`. */
export type ExportServiceFactory = (mail: MailRepository) => ExportService;

class LostClaimError extends Error {}

/**
 * Runs queued exports: claims one run (atomically, whichever instance asks
 * first), checks the recipient again, builds and sends the workbook through
 * the one core ExportService, and records the outcome with the claim.
 *
 * Never twice: the run is marked "delivery started" just before the SMTP
 * transaction and "sent" in the same statement that records the summary.
 * A run abandoned before delivery started is simply taken again when its lease
 * expires; one abandoned during delivery (the process died between the SMTP
 * server's answer and that statement) is marked failed, not resent, because it
 * may already be in the manager's mailbox.
 */
export class ExportRunner {
  private readonly clock: () => Date;

  constructor(
    private readonly runs: RunRepository,
    private readonly mail: MailRepository,
    private readonly exportServiceFor: ExportServiceFactory,
    private readonly options: ExportRunnerOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Claims and runs the next due run; null when there is none. Returns the run as it was recorded. */
  async runNext(): Promise<RunRecord | null> {
    const run = await this.runs.claimNext({
      instanceId: this.options.instanceId,
      now: this.clock(),
      leaseMs: this.options.leaseMs,
    });
    if (!run) return null;
    if (run.deliveryStartedAt) {
      await this.runs.finishFailed(
        run,
        `The instance sending this export stopped during delivery at ${run.deliveryStartedAt.toISOString()}; it was not resent because it may already have arrived. Start a new export if it did not.`,
        this.clock(),
      );
      return this.runs.findById(run.id);
    }
    await this.execute(run);
    return this.runs.findById(run.id);
  }

  private async execute(run: RunRecord): Promise<void> {
    const heartbeat = setInterval(
      () => {
        this.runs
          .extendLease(run, new Date(this.clock().getTime() + this.options.leaseMs))
          .catch(() => undefined);
      },
      Math.max(250, Math.floor(this.options.leaseMs / 3)),
    );
    try {
      const summary = await this.exportServiceFor(this.trackDelivery(run)).exportToEmail({
        customer: run.customer,
        recipient: run.recipient,
        since: run.since ?? undefined,
        until: run.until ?? undefined,
      });
      await this.runs.finishSent(run, summary, this.clock());
    } catch (error) {
      if (error instanceof LostClaimError) return;
      const reason = firstLine(error instanceof Error ? error.message : String(error)) || 'Unknown error';
      if (error instanceof MailDeliveryError && run.attempts < this.options.mailMaxAttempts) {
        const wait = this.options.mailRetryBaseMs * 2 ** (run.attempts - 1);
        const next = new Date(this.clock().getTime() + wait);
        await this.runs.retryLater(
          run,
          `Attempt ${run.attempts} of ${this.options.mailMaxAttempts} failed, retrying at ${next.toISOString()}: ${reason}`,
          next,
        );
        return;
      }
      const prefix = error instanceof MailDeliveryError ? `Gave up after ${run.attempts} attempts: ` : '';
      await this.runs.finishFailed(
        run,
        `${prefix}${reason}`,
        this.clock(),
        isSpotlightError(error) ? error.code : 'UNEXPECTED',
      );
    } finally {
      clearInterval(heartbeat);
    }
  }

  private trackDelivery(run: RunRecord): MailRepository {
    const { runs, mail, clock } = this;
    return {
      destination: mail.destination,
      async send(message: OutgoingMail): Promise<SentMail> {
        if (!(await runs.markDeliveryStarted(run, clock()))) {
          throw new LostClaimError(`Run ${run.id} is no longer claimed by this instance`);
        }
        return mail.send(message);
      },
      close() {},
    };
  }
}
