import {
  ExportService,
  normaliseEmail,
  parseExportRequest,
  resendRequest,
  parseRequestedBy,
  tokenReaches,
  type ExportRequestInput,
  type RunRecord,
  type RunRepository,
  type TokenRecord,
} from '@spotlight/core';
import type { AuditRepository } from '../audit/audit.repository';
import { NotVisibleError } from '../auth/not-visible.error';

export interface RunQueueOptions {
  /** Told when a new run is queued, so this instance's worker starts on it before its next poll. */
  onQueued?: (run: RunRecord) => void;
  clock?: () => Date;
}

/**
 * Puts exports asked for over the API in the queue, once: the same request
 * while it is queued or running answers with the pending run. The
 * ExportRunner of some instance later claims and executes it.
 */
export class RunQueueService {
  private readonly clock: () => Date;

  constructor(
    private readonly runs: RunRepository,
    private readonly exports: ExportService,
    private readonly audit: AuditRepository,
    private readonly options: RunQueueOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Queues an export after checking the request and the recipient, or returns
   * the same export when it is already queued or running.
   */
  async enqueue(
    token: TokenRecord,
    input: {
      customer: string;
      recipient: string;
      since?: string;
      until?: string;
      timeZone?: string;
      requestedBy?: string;
    },
  ): Promise<{ run: RunRecord; existing: boolean }> {
    return this.queue(token, input);
  }

  /**
   * Sends a failed or unconfirmed export again, on purpose: a new run with the
   * same customer, recipient, period and zone, naming the one it resends. The
   * recipient is checked again, as for any export.
   */
  async resend(token: TokenRecord, id: number): Promise<{ run: RunRecord; existing: boolean }> {
    const original = await this.runs.findById(id);
    if (!original || !tokenReaches(token, original.customer))
      throw new NotVisibleError(`No export has the id ${id}.`);
    return this.queue(token, resendRequest(original), original.id);
  }

  private async queue(
    token: TokenRecord,
    input: ExportRequestInput & { requestedBy?: string },
    resendOf?: number,
  ): Promise<{ run: RunRecord; existing: boolean }> {
    const request = parseExportRequest(input);
    const requestedBy = parseRequestedBy(input.requestedBy);
    if (!tokenReaches(token, request.customer))
      throw new NotVisibleError(`No customer has the domain "${request.customer}".`);
    const { recipient } = await this.exports.checkRecipient(request.customer, request.recipient);
    const since = request.range.since ?? null;
    const until = request.range.until ?? null;
    const pendingKey = [
      request.customer,
      normaliseEmail(recipient),
      since?.toISOString() ?? '',
      until?.toISOString() ?? '',
      ...(request.timeZone === 'UTC' ? [] : [request.timeZone]),
    ].join('|');
    // The unique pending key makes "already queued" atomic across requests and
    // instances; the loop covers the pending run finishing between the two statements.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const run = await this.runs.insertQueued(
        {
          customer: request.customer,
          recipient,
          since,
          until,
          source: 'api',
          tokenId: token.id,
          timeZone: request.timeZone,
          requestedBy,
          pendingKey,
          resendOf,
        },
        this.clock(),
      );
      if (run) {
        await this.audit.record({
          tokenId: token.id,
          action: resendOf === undefined ? 'export.queue' : 'export.resend',
          target: `run:${run.id}`,
          detail: { customer: run.customer, recipient, ...(resendOf === undefined ? {} : { resendOf }) },
        });
        this.options.onQueued?.(run);
        return { run, existing: false };
      }
      const pending = await this.runs.findPending(pendingKey);
      if (pending) return { run: pending, existing: true };
    }
    throw new Error('Could not queue the export: it kept colliding with a finishing one; try again.');
  }
}
