import {
  InvalidInputError,
  parseCustomer,
  tokenReaches,
  type RunRecord,
  type RunRepository,
  type RunSource,
  type RunStatus,
  type TokenRecord,
} from '@spotlight/core';
import { NotVisibleError } from '../auth/not-visible.error';

export interface RunPage {
  items: RunRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** The runs a token may see: one by id, or the history page by page. */
export class RunHistoryService {
  constructor(private readonly runs: RunRepository) {}

  async get(token: TokenRecord, id: number): Promise<RunRecord> {
    const run = await this.runs.findById(id);
    if (!run || !tokenReaches(token, run.customer)) throw new NotVisibleError(`No export has the id ${id}.`);
    return run;
  }

  /** One query whatever the page size: newest first, keyset-paginated by id. */
  async list(
    token: TokenRecord,
    filter: { customer?: string; status?: RunStatus; source?: RunSource; limit: number; cursor?: string },
  ): Promise<RunPage> {
    const customer = filter.customer === undefined ? undefined : parseCustomer(filter.customer);
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
