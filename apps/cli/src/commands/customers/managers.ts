import { Flags } from '@oclif/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { formatTable } from '../../table';

export interface CustomersManagersResult {
  customer: string;
  name: string;
  managers: Array<{
    email: string;
    firstName: string;
    lastName: string;
    active: boolean;
    /** ISO 8601, UTC; null when the manager never logged in. */
    lastLogin: string | null;
  }>;
}

export default class CustomersManagers extends SpotlightCommand<CustomersManagersResult> {
  static override summary = "List a customer's managers: who may receive its exports.";

  static override description = `Every user of the customer with is_manager, sorted by address, whether the account is active and when it last logged in (UTC). Only active managers may receive an export.

${exitCodesHelp('CUSTOMER_NOT_FOUND', 'DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -c example.com',
    '<%= config.bin %> <%= command.id %> -c example.com --json',
  ];

  static override flags = {
    customer: Flags.string({
      char: 'c',
      summary: "The customer's domain, as in django_site.domain.",
      required: true,
    }),
  };

  async run(): Promise<CustomersManagersResult> {
    const { flags } = await this.parse(CustomersManagers);
    const found = await this.services.customers.managers(flags.customer);
    const result: CustomersManagersResult = {
      customer: found.domain,
      name: found.name,
      managers: found.managers.map((manager) => ({
        ...manager,
        lastLogin: manager.lastLogin?.toISOString() ?? null,
      })),
    };
    this.log(
      result.managers.length === 0
        ? `${result.customer} (${result.name}) has no managers.`
        : formatTable(
            ['EMAIL', 'NAME', 'ACTIVE ACCOUNT', 'LAST LOGIN'],
            result.managers.map((m) => [
              m.email,
              `${m.firstName} ${m.lastName}`.trim() || '-',
              m.active ? 'yes' : 'no',
              m.lastLogin ?? 'never',
            ]),
          ),
    );
    return result;
  }
}
