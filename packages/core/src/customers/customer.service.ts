import { CustomerNotFoundError } from '../errors';
import { parseCustomer } from '../input/address.rules';
import type { CustomerRepository, CustomerSummary, CustomerWithManagers } from './customer.repository';

/** What support looks up before an export: the customers, and who may receive one. */
export class CustomerService {
  constructor(private readonly customers: CustomerRepository) {}

  list(): Promise<CustomerSummary[]> {
    return this.customers.listSites();
  }

  /** The customer's managers, active or not; CustomerNotFoundError for an unknown domain. */
  async managers(customer: string): Promise<CustomerWithManagers> {
    const domain = parseCustomer(customer);
    const found = await this.customers.findSiteWithManagers(domain);
    if (!found) throw new CustomerNotFoundError(domain);
    return found;
  }
}
