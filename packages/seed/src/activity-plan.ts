import type { Random } from './random';
import { EPOCH, SPAN } from './values';

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

/**
 * Participation inequality, as on a real ideas platform: of the users who do
 * anything, a few create, more comment without creating, most only vote or
 * like, and some only belong to communities. Each role does its own kinds
 * and every kind of the roles below it; `first` is the kind that makes the
 * role, which every user of the role does at least once.
 */
const ROLES: ReadonlyArray<{ share: number; first: Kind; kinds: readonly Kind[] }> = [
  { share: 0.15, first: 'ideas', kinds: KINDS },
  { share: 0.22, first: 'comments', kinds: ['comments', 'likes', 'votes', 'memberships'] },
  { share: 0.48, first: 'votes', kinds: ['likes', 'votes', 'memberships'] },
  { share: 0.15, first: 'memberships', kinds: ['memberships'] },
];

const IDLE_SHARE = 0.4;
const PARETO_ALPHA = 1.16;
const MAX_WEIGHT = 2000;
/** Users whose activity stops before the data's end (they lapse), at a time drawn at random. */
const LAPSING_SHARE = 0.35;
const DAY = 86_400_000;

/** How much each of a site's users does: the rows of each kind per user (by index, 0 the manager). */
export interface ActivityPlan {
  counts: Record<Kind, Int32Array>;
  /** The site's rows of that kind. */
  sum(kind: Kind): number;
  /** A user picked in proportion to how active they are. */
  activeUser(): number;
  /** When user `u` joined: their activity starts then. */
  joined(u: number): Date;
  /** When user `u` last logged in, or null for an idle user who never did. */
  lastLogin(u: number): Date | null;
  /** A time within user `u`'s active months, for one of their rows. */
  when(u: number): Date;
}

/**
 * Gives each of `n` users a role and a weight (zero for the idle), and a
 * span of months they are active in: users join all along, and some lapse.
 * Each kind's count is then that user's share of the site's total for the
 * kind among the users whose role does it.
 */
export function planActivity(rng: Random, n: number): ActivityPlan {
  const weights = new Float64Array(n);
  const roles = new Int8Array(n);
  const from = new Float64Array(n);
  const to = new Float64Array(n);
  const end = EPOCH + SPAN;
  for (let u = 0; u < n; u += 1) {
    const idle = u !== 0 && rng.chance(IDLE_SHARE);
    weights[u] = u === 0 ? 2 : idle ? 0 : Math.min(rng.pareto(PARETO_ALPHA), MAX_WEIGHT);
    roles[u] = u === 0 ? 0 : pickRole(rng.next());
    // Users join until a week before the data ends, so even its last month has newcomers.
    from[u] = u === 0 ? EPOCH : EPOCH + Math.floor(rng.next() * (SPAN - 7 * DAY));
    to[u] = u !== 0 && rng.chance(LAPSING_SHARE) ? from[u] + rng.next() * (end - from[u]) : end;
  }
  const counts = {} as Record<Kind, Int32Array>;
  for (const kind of KINDS) {
    const does = (u: number) => ROLES[roles[u]].kinds.includes(kind);
    let total = 0;
    for (let u = 0; u < n; u += 1) if (does(u)) total += weights[u];
    const perWeight = total > 0 ? (RATES[kind] * n) / total : 0;
    counts[kind] = new Int32Array(n);
    for (let u = 0; u < n; u += 1) {
      if (!does(u) || weights[u] === 0) continue;
      counts[kind][u] = rng.round(weights[u] * perWeight);
      if (ROLES[roles[u]].first === kind) counts[kind][u] = Math.max(counts[kind][u], 1);
    }
    // The manager does a bit of everything, so every kind exists on any site.
    counts[kind][0] = Math.max(counts[kind][0], 1);
  }
  const cumulative = new Float64Array(n);
  for (let u = 0, acc = 0; u < n; u += 1) cumulative[u] = acc += weights[u];
  const total = cumulative[n - 1];
  const lastLogins = Array.from({ length: n }, (_, u) => {
    if (weights[u] > 0) return new Date(Math.max(from[u], to[u] - rng.int(30) * DAY));
    return rng.chance(0.4) ? null : new Date(from[u] + rng.next() * (end - from[u]));
  });
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
    joined: (u) => new Date(from[u]),
    lastLogin: (u) => lastLogins[u],
    when: (u) => new Date(from[u] + Math.floor(rng.next() * (to[u] - from[u]))),
  };
}

function pickRole(draw: number): number {
  let acc = 0;
  for (let role = 0; role < ROLES.length; role += 1) {
    acc += ROLES[role].share;
    if (draw < acc) return role;
  }
  return ROLES.length - 1;
}
