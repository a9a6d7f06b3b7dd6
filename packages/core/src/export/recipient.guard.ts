import type { ActivityRepository, SiteRecord } from '../activity/activity.repository';
import { sameAddress } from '../input/address.rules';
import { CustomerNotFoundError, RecipientNotAllowedError, tenantMessage } from '../errors';

export interface RecipientCheck {
  site: SiteRecord;
  /** The manager's address as Spotlight stores it. */
  recipient: string;
}

/**
 * The old tool's fault was mailing whoever it last looked at. Here the
 * recipient is checked once, up front: a user of that very site, a manager,
 * and active. Addresses compare trimmed and case-insensitively.
 */
export async function guardRecipient(
  snapshot: ActivityRepository,
  customer: string,
  recipient: string,
): Promise<RecipientCheck> {
  const found = await snapshot.findSiteAndUsers(customer, recipient);
  if (!found) throw new CustomerNotFoundError(customer);
  const { site, users } = found;
  const allowed = users.find((user) => user.isManager && user.isActive);
  // The repository returns only users whose address is exactly the requested one.
  if (allowed) return { site, recipient: allowed.email.trim() };

  // A refusal costs a query more than an export; the export's path stays at one.
  const activeManagers = await snapshot.countActiveManagers(site.id);
  const managers = `${customer} has ${activeManagers} active manager${activeManagers === 1 ? '' : 's'}; "spotlight customers managers -c ${customer}" or GET /customers/${customer}/managers lists them.`;
  const refuse = (
    reason: ConstructorParameters<typeof RecipientNotAllowedError>[2],
    detail: string,
    tenantDetail = detail,
  ) =>
    new RecipientNotAllowedError(
      recipient,
      customer,
      reason,
      `${detail} ${managers}`,
      `${tenantDetail} ${managers}`,
    );
  // What the address is at other customers is theirs: a site token is told the same whatever it is there.
  const notHere = tenantMessage('RECIPIENT_NOT_ALLOWED', { customer, recipient });
  if (users.some((user) => user.isManager)) {
    throw refuse(
      'inactive-manager',
      `${recipient} is a manager of ${customer} but the account is inactive; pick an active manager.`,
    );
  }
  if (users.length > 0) {
    throw refuse(
      'not-a-manager',
      `${recipient} is a user of ${customer} but not a manager; exports go to managers only.`,
    );
  }
  const elsewhere = await snapshot.findUsersElsewhere(recipient, site.id);
  const managedSites = elsewhere.filter((user) => user.isManager).map((user) => user.domain);
  if (managedSites.length > 0) {
    throw refuse(
      'manager-of-other-site',
      `${recipient} manages ${managedSites.join(', ')}, not ${customer}; exports go to that customer's own managers.`,
      notHere,
    );
  }
  throw refuse(
    'unknown-address',
    `${recipient} is not a user of ${customer}; exports go to that customer's managers.`,
    notHere,
  );
}

/** The last line of the guard, just before sending: the address the email goes to is the one asked for. */
export function assertSameRecipient(check: RecipientCheck, customer: string, requested: string): void {
  if (sameAddress(check.recipient, requested)) return;
  throw new RecipientNotAllowedError(
    requested,
    customer,
    'unknown-address',
    `${requested} is not exactly the address of a manager of ${customer}; nothing was sent.`,
  );
}
