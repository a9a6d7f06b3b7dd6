import type { ActivityPlan } from './activity-plan';
import type { Random } from './random';
import type { IdRange, SeededTable, TableLoad } from './table-load';

/** User `u` of a site (0 its manager) has id `users.first + u`. */
export const userId = (users: IdRange, u: number): number => users.first + u;

export interface SiteSpec {
  domain: string;
  name: string;
  users: number;
  managerEmail: string;
  seed: number;
  /** A user (not a manager) of this site gets this address too: addresses are not unique across sites. */
  sharedEmail?: string;
}

/**
 * What each table group of one generated site is written with. They all draw
 * from the one `rng`, in the order `generateSite` calls them: the same seed
 * gives the same rows only while that order stays.
 */
export interface SiteWriter {
  spec: SiteSpec;
  siteId: number;
  rng: Random;
  plan: ActivityPlan;
  load(table: SeededTable): TableLoad;
  progress(message: string): void;
}

/** The rows a table group wrote, and how many of them count as activity. */
export interface Written {
  ids: IdRange;
  activityRows: number;
}
