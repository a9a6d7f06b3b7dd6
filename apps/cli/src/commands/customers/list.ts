import type { CustomerSummary } from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { formatTable } from '../../table';

export interface CustomersListResult {
  /** activeAccounts is activeUsers under its plain name: accounts with is_active, whatever their activity. */
  customers: Array<CustomerSummary & { activeAccounts: number }>;
}

export default class CustomersList extends SpotlightCommand<CustomersListResult> {
  static override summary = 'List the customers (sites) with their users, active accounts and managers.';

  static override description = `One line per django_site, sorted by domain: its users, how many accounts are active and how many users are managers (active or not). "spotlight customers managers -c DOMAIN" shows who they are.

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  async run(): Promise<CustomersListResult> {
    await this.parse(CustomersList);
    const customers = (await this.services.customers.list()).map((customer) => ({
      ...customer,
      activeAccounts: customer.activeUsers,
    }));
    this.log(
      customers.length === 0
        ? 'No customers: django_site is empty.'
        : formatTable(
            ['DOMAIN', 'NAME', 'USERS', 'ACTIVE ACCOUNTS', 'MANAGERS'],
            customers.map((c) => [
              c.domain,
              c.name,
              String(c.users),
              String(c.activeAccounts),
              String(c.managers),
            ]),
          ),
    );
    return { customers };
  }
}
