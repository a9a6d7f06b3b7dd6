import type { Random } from './random';

// Average rows per user of each kind; a customer of N users gets about 30 N
// activity rows, spread over users by a power law.
const RATES = {
  challenges: 0.3,
  ideas: 3,
  comments: 6,
  likes: 7,
  votes: 10,
  conversations: 0.5,
  communities: 0.02,
  memberships: 2.5,
} as const;
export type Kind = keyof typeof RATES;
const KINDS = Object.keys(RATES) as Kind[];

const IDLE_SHARE = 0.4;
const PARETO_ALPHA = 1.16;
const MAX_WEIGHT = 2000;

/** How much each of a site's users does: the rows of each kind per user (by index, 0 the manager). */
export interface ActivityPlan {
  counts: Record<Kind, Int32Array>;
  /** The site's rows of that kind. */
  sum(kind: Kind): number;
  /** A user picked in proportion to how active they are. */
  activeUser(): number;
}

/**
 * Gives each of `n` users a weight, zero for the idle; then each kind's count
 * is that user's share of the site's total for the kind.
 */
export function planActivity(rng: Random, n: number): ActivityPlan {
  const weights = new Float64Array(n);
  let total = 0;
  for (let u = 0; u < n; u += 1) {
    weights[u] = u === 0 ? 2 : rng.chance(IDLE_SHARE) ? 0 : Math.min(rng.pareto(PARETO_ALPHA), MAX_WEIGHT);
    total += weights[u];
  }
  const counts = {} as Record<Kind, Int32Array>;
  for (const kind of KINDS) {
    const perWeight = (RATES[kind] * n) / total;
    counts[kind] = new Int32Array(n);
    for (let u = 0; u < n; u += 1) counts[kind][u] = rng.round(weights[u] * perWeight);
    // The manager does a bit of everything, so every kind exists on any site.
    counts[kind][0] = Math.max(counts[kind][0], 1);
  }
  const cumulative = new Float64Array(n);
  for (let u = 0, acc = 0; u < n; u += 1) cumulative[u] = acc += weights[u];
  return {
    counts,
    sum: (kind) => counts[kind].reduce((a, b) => a + b, 0),
    activeUser: () => {
      const target = rng.next() * total;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > target) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}
