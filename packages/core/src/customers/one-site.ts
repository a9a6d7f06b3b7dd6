import { AmbiguousCustomerError } from '../errors';
import { normaliseDomain } from '../input/address.rules';

/**
 * Of rows looked up by a site's domain, the rows of the one site whose
 * domain is `wanted` (normalised) but for case; none when no site's is.
 * Several such sites are refused, never merged: the other site's manager
 * would otherwise pass the guard for this site's data.
 */
export function rowsOfOneSite<T>(
  rows: readonly T[],
  wanted: string,
  siteOf: (row: T) => { id: number; domain: string },
): T[] {
  const matching = rows.filter((row) => normaliseDomain(siteOf(row).domain) === wanted);
  const domains = new Map(matching.map((row) => [siteOf(row).id, siteOf(row).domain]));
  if (domains.size > 1) throw new AmbiguousCustomerError(wanted, [...domains.values()].sort());
  return matching;
}
