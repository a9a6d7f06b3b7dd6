import { CustomerNotFoundError, InvalidInputError } from '../errors';
import { parseCustomer } from '../input/address.rules';
import type {
  CustomerOverview,
  CustomerRepository,
  CustomerSummary,
  CustomerWithManagers,
} from './customer.repository';

/** A page of customers and where the next one starts. */
export interface CustomerPage {
  items: CustomerOverview[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** What support looks up before an export: the customers, and who may receive one. */
export class CustomerService {
  constructor(private readonly customers: CustomerRepository) {}

  list(): Promise<CustomerSummary[]> {
    return this.customers.listSites();
  }

  /**
   * Customers sorted by domain, `limit` at a time, optionally only those whose
   * domain or name contains `search` (any case). `onlyDomain` limits them to
   * one customer (a site token's own). One query a page.
   */
  async page(query: {
    search?: string;
    cursor?: string;
    limit: number;
    onlyDomain?: string;
  }): Promise<CustomerPage> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.customers.pageSites({
      search: query.search?.trim() || undefined,
      domain: query.onlyDomain,
      after,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    const more = rows.length > query.limit;
    return { items, nextCursor: more ? encodeCursor(items[items.length - 1].domain) : null };
  }

  /** One customer with its counts; CustomerNotFoundError for an unknown domain. */
  async overview(customer: string): Promise<CustomerOverview> {
    const domain = parseCustomer(customer);
    const [found] = await this.customers.pageSites({ domain, limit: 1 });
    if (!found) throw new CustomerNotFoundError(domain);
    return found;
  }

  /** The customer's managers, active or not; CustomerNotFoundError for an unknown domain. */
  async managers(customer: string): Promise<CustomerWithManagers> {
    const domain = parseCustomer(customer);
    const found = await this.customers.findSiteWithManagers(domain);
    if (!found) throw new CustomerNotFoundError(domain);
    return found;
  }
}

const CURSOR_PREFIX = 'after:';

function encodeCursor(domain: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${domain}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX) || text.length === CURSOR_PREFIX.length)
    throw new InvalidInputError(
      `cursor "${cursor}" is not one this API gave; pass the nextCursor of the previous page.`,
    );
  return text.slice(CURSOR_PREFIX.length);
}
