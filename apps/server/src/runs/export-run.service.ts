import {
  ExportService,
  InvalidInputError,
  parseExportRequest,
  tokenReaches,
  type TokenRecord,
} from '@spotlight/core';
import type { AuditRepository } from '../audit/audit.repository';
import { NotVisibleError } from '../auth/not-visible.error';
import type { RunRecord, RunRepository, RunSource, RunStatus } from '@spotlight/core';

export interface RunPage {
  items: RunRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Export runs as the API sees them: queue one, read one, page through history. */
export class ExportRunService {
  constructor(
    private readonly runs: RunRepository,
    private readonly exports: ExportService,
    private readonly audit: AuditRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Queues an export after checking the request and the recipient, or returns
   * the same export when it is already queued or running.
   */
  async enqueue(
    token: TokenRecord,
    input: { customer: string; recipient: string; since?: string; until?: string; timeZone?: string },
  ): Promise<{ run: RunRecord; existing: boolean }> {
    const request = parseExportRequest(input);
    if (!tokenReaches(token, request.customer))
      throw new NotVisibleError(`No customer has the domain "${request.customer}".`);
    const { recipient } = await this.exports.checkRecipient(request.customer, request.recipient);
    const since = request.range.since ?? null;
    const until = request.range.until ?? null;
    const pendingKey = [
      request.customer,
      recipient.toLowerCase(),
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
          pendingKey,
        },
        this.clock(),
      );
      if (run) {
        await this.audit.record({
          tokenId: token.id,
          action: 'export.queue',
          target: `run:${run.id}`,
          detail: { customer: run.customer, recipient },
        });
        return { run, existing: false };
      }
      const pending = await this.runs.findPending(pendingKey);
      if (pending) return { run: pending, existing: true };
    }
    throw new Error('Could not queue the export: it kept colliding with a finishing one; try again.');
  }

  async get(token: TokenRecord, id: number): Promise<RunRecord> {
    const run = await this.runs.findById(id);
    if (!run || !tokenReaches(token, run.customer)) throw new NotVisibleError(`No export has the id ${id}.`);
    return run;
  }

  /** One query whatever the page size: newest first, keyset-paginated by id. */
  async history(
    token: TokenRecord,
    filter: { customer?: string; status?: RunStatus; source?: RunSource; limit: number; cursor?: string },
  ): Promise<RunPage> {
    const customer = filter.customer?.trim().toLowerCase();
    if (customer && !tokenReaches(token, customer)) return { items: [], nextCursor: null };
    const before = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const rows = await this.runs.list({
      customer: customer ?? token.siteDomain ?? undefined,
      status: filter.status,
      source: filter.source,
      before,
      limit: filter.limit + 1,
    });
    const items = rows.slice(0, filter.limit);
    const nextCursor = rows.length > filter.limit ? encodeCursor(items[items.length - 1].id) : null;
    return { items, nextCursor };
  }
}

function encodeCursor(id: number): string {
  return Buffer.from(`run:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^run:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw new InvalidInputError(
      `cursor "${cursor}" is not one this API returned; start again without a cursor.`,
    );
  return Number(match[1]);
}
