import {
  parseCustomer,
  tokenReaches,
  type RunRecord,
  type RunRepository,
  type RunSource,
  type RunStatus,
  type TokenRecord,
} from '@spotlight/core';
import { NotVisibleError } from '../auth/not-visible.error';
import { KeysetPaging, type KeysetPage } from '../paging/keyset.paging';

export type RunPage = KeysetPage<RunRecord>;

const PAGING = new KeysetPaging('run');

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
    const before = PAGING.before(filter.cursor);
    const rows = await this.runs.list({
      customer: customer ?? token.siteDomain ?? undefined,
      status: filter.status,
      source: filter.source,
      before,
      limit: filter.limit + 1,
    });
    return PAGING.page(rows, filter.limit);
  }
}
