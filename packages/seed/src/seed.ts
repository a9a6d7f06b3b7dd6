import type { Knex } from 'knex';
import { performance } from 'node:perf_hooks';
import { normaliseDomain, SPOTLIGHT_TABLE, SpotlightError } from '@spotlight/core';
import { crossSiteNoise } from './cross-site';
import { generateSite, type SiteContext } from './site';
import { IdAllocator } from './table-load';

export interface GenerateOptions {
  /** Users of the customer, its manager included. */
  users: number;
  /** Same seed, same data (ids aside, which continue from what the tables hold). 1 by default. */
  seed?: number;
  /** The customer's domain; `customer-<users>-<seed>.example.com` by default. */
  domain?: string;
  name?: string;
  /** The customer's active manager; `manager@<domain>` by default. */
  managerEmail?: string;
  /** Other customers generated beside it, whose rows must never show in its export. 2 by default. */
  noiseSites?: number;
  onProgress?: (message: string) => void;
}

export interface GenerateReport {
  site: { id: number; domain: string; name: string };
  users: number;
  /** Rows of the customer that count as activity (the nine kinds of the schema doc). */
  activityRows: number;
  managerEmail: string;
  /** Domains of the other sites generated with it. */
  noiseSites: string[];
  durationMs: number;
}

/** Thrown before anything is written when a domain to be generated is already taken. */
export class SeedSiteExistsError extends SpotlightError {
  readonly code = 'INVALID_INPUT';
  constructor(readonly domains: string[]) {
    super(
      `The database already has ${domains.join(', ')}; choose another domain or start from an empty database.`,
    );
  }
}

interface NoiseSite {
  domain: string;
  name: string;
  users: number;
  managerEmail: string;
}

/**
 * Generates one customer with `users` users and realistic activity (about 30
 * activity rows per user: most users idle or light, a few very heavy), plus
 * smaller noise sites that share some addresses and cross-site rows with it.
 * Everything is written in one transaction with multi-row INSERTs: either the
 * whole customer exists afterwards or nothing does. It refuses a domain that
 * exists already ({@link SeedSiteExistsError}) rather than adding to it.
 */
export async function generateCustomer(db: Knex, options: GenerateOptions): Promise<GenerateReport> {
  const users = options.users;
  if (!Number.isInteger(users) || users < 1)
    throw new RangeError(`users must be a whole number of at least 1 (got ${users})`);
  const seed = options.seed ?? 1;
  const domain = normaliseDomain(options.domain ?? `customer-${users}-${seed}.example.com`);
  const noiseCount = options.noiseSites ?? 2;
  const noiseUsers = Math.min(5000, Math.max(20, Math.round(users / 20)));
  const noise: NoiseSite[] = Array.from({ length: noiseCount }, (_, k) => ({
    domain: `noise-${k + 1}.${domain}`.slice(0, 100),
    name: `Noise ${k + 1} of ${domain}`.slice(0, 50),
    users: noiseUsers,
    managerEmail: `manager@noise-${k + 1}.${domain}`,
  }));
  return generate(db, {
    seed,
    customer: {
      domain,
      name: (options.name ?? `Customer of ${users} user${users === 1 ? '' : 's'}`).slice(0, 50),
      users,
      managerEmail: options.managerEmail?.trim() ?? `manager@${domain}`,
    },
    noise,
    onProgress: options.onProgress,
  });
}

/** The demo's customer, its manager and its second site, as {@link seedDemo} creates them. */
export const DEMO_SITES = {
  customer: { domain: 'example.com', name: 'Example Inc.', users: 300, managerEmail: 'manager@example.com' },
  other: {
    domain: 'other.example.org',
    name: 'Other Org',
    users: 60,
    managerEmail: 'manager@other.example.org',
  },
} as const;

/**
 * The demo data: example.com ("Example Inc.", manager manager@example.com)
 * with 300 users and activity of every kind, and other.example.org, a second
 * customer with its own manager, to show that exports stay within a site.
 * Running it again fails with {@link SeedSiteExistsError}: demo data is never doubled.
 */
export function seedDemo(
  db: Knex,
  options: { onProgress?: (message: string) => void } = {},
): Promise<GenerateReport> {
  return generate(db, {
    seed: 42,
    customer: { ...DEMO_SITES.customer },
    noise: [{ ...DEMO_SITES.other }],
    onProgress: options.onProgress,
  });
}

async function generate(
  db: Knex,
  plan: { seed: number; customer: NoiseSite; noise: NoiseSite[]; onProgress?: (message: string) => void },
): Promise<GenerateReport> {
  const started = performance.now();
  const progress = plan.onProgress ?? (() => undefined);
  const domains = [plan.customer, ...plan.noise].map((site) => site.domain);
  const rows = await db.transaction(async (trx) => {
    const taken = await trx(SPOTLIGHT_TABLE.site).whereIn('domain', domains).pluck('domain');
    if (taken.length > 0) throw new SeedSiteExistsError(taken.map(String));
    // Foreign key and unique checks stay on: the load is fast enough with
    // them (100k users in under 2 minutes on MariaDB), and they prove the
    // generator never writes an orphan or a repeated pair.
    const ctx: SiteContext = { db: trx, ids: await IdAllocator.start(trx), progress };
    const customer = await generateSite(ctx, { ...plan.customer, seed: plan.seed });
    for (const [k, site] of plan.noise.entries()) {
      const other = await generateSite(ctx, {
        ...site,
        seed: plan.seed * 7919 + k + 1,
        sharedEmail: plan.customer.managerEmail,
      });
      await crossSiteNoise(ctx, customer, other, plan.seed * 104_729 + k);
    }
    return customer;
  });
  const report: GenerateReport = {
    site: { id: rows.siteId, domain: plan.customer.domain, name: plan.customer.name },
    users: rows.users.count,
    activityRows: rows.activityRows,
    managerEmail: plan.customer.managerEmail,
    noiseSites: plan.noise.map((site) => site.domain),
    durationMs: Math.round(performance.now() - started),
  };
  progress(
    `${report.site.domain}: ${report.users} users, ${report.activityRows} activity rows in ${report.durationMs} ms`,
  );
  return report;
}
