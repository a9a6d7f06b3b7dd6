import type { Knex } from 'knex';
import { normaliseDomain } from '../input/address.rules';
import { rowsOfOneSite } from './one-site';
import { lowerEquals } from '../db/compare';
import { dialectOf, toDate } from '../db/connection';
import { SPOTLIGHT_TABLE as T } from '../db/models/spotlight-tables';

/** A customer (a Spotlight site) and how many of its users there are. */
export interface CustomerSummary {
  domain: string;
  name: string;
  users: number;
  /** Users whose account is active (`is_active`). */
  activeUsers: number;
  /** Users with `is_manager`, active or not. */
  managers: number;
}

/** A customer as the admin console lists it. */
export interface CustomerOverview {
  domain: string;
  name: string;
  users: number;
  /** Users whose account is active (`is_active`). */
  activeUsers: number;
  /** Users with `is_manager` whose account is active: who may receive an export. */
  activeManagers: number;
}

/** Which customers a page of {@link CustomerRepository.pageSites} holds. */
export interface CustomerPageQuery {
  /** Case-insensitive substring of the domain or the name. */
  search?: string;
  /** Only the customer with this domain (lowercase): a site token's own. */
  domain?: string;
  /** Customers whose domain sorts after this one. */
  after?: string;
  limit: number;
}

export interface CustomerManager {
  email: string;
  firstName: string;
  lastName: string;
  active: boolean;
  lastLogin: Date | null;
}

export interface CustomerWithManagers {
  domain: string;
  name: string;
  managers: CustomerManager[];
}

interface SummaryRow {
  domain: string;
  name: string;
  users: unknown;
  active_users: unknown;
  managers: unknown;
}

interface ManagerRow {
  site_id: unknown;
  domain: string;
  name: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  is_active: unknown;
  last_login: unknown;
}

/** Reads customers (Spotlight's `django_site`) and their managers. Works on the read database. */
export class CustomerRepository {
  constructor(private readonly db: Knex) {}

  /** Every site with its user counts, sorted by domain. One query. */
  async listSites(): Promise<CustomerSummary[]> {
    const rows: SummaryRow[] = await this.db(`${T.site} as s`)
      .leftJoin(`${T.user} as u`, 'u.site_id', 's.id')
      .groupBy('s.id', 's.domain', 's.name')
      .select(
        's.domain',
        's.name',
        this.db.raw('COUNT(u.id) as users'),
        this.db.raw('COALESCE(SUM(CASE WHEN u.is_active THEN 1 ELSE 0 END), 0) as active_users'),
        this.db.raw('COALESCE(SUM(CASE WHEN u.is_manager THEN 1 ELSE 0 END), 0) as managers'),
      );
    return rows
      .map((row) => ({
        domain: row.domain,
        name: row.name,
        users: Number(row.users),
        activeUsers: Number(row.active_users),
        managers: Number(row.managers),
      }))
      .sort((a, b) => compareText(a.domain, b.domain));
  }

  /**
   * Up to `limit` sites sorted by domain (bytewise, on every database, so a
   * cursor means the same everywhere), with their user counts. One query.
   */
  async pageSites(query: CustomerPageQuery): Promise<CustomerOverview[]> {
    const mysql = dialectOf(this.db) === 'mysql';
    // Binary on MariaDB, whose default collation folds accents as well as case.
    const binary = mysql ? ' COLLATE utf8mb4_bin' : '';
    const rows: SummaryRow[] = await this.db(`${T.site} as s`)
      .leftJoin(`${T.user} as u`, 'u.site_id', 's.id')
      .modify((select) => {
        if (query.domain !== undefined) select.where(lowerEquals(this.db, 's.domain', query.domain));
        if (query.after !== undefined) select.whereRaw(`s.domain > ?${binary}`, [query.after]);
        if (query.search) {
          const pattern = `%${query.search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
          select.where((where) =>
            where
              .whereRaw(`LOWER(s.domain) LIKE ?${binary} ESCAPE '!'`, [pattern])
              .orWhereRaw(`LOWER(s.name) LIKE ?${binary} ESCAPE '!'`, [pattern]),
          );
        }
      })
      .groupBy('s.id', 's.domain', 's.name')
      .select(
        's.domain',
        's.name',
        this.db.raw('COUNT(u.id) as users'),
        this.db.raw('COALESCE(SUM(CASE WHEN u.is_active THEN 1 ELSE 0 END), 0) as active_users'),
        this.db.raw('COALESCE(SUM(CASE WHEN u.is_manager AND u.is_active THEN 1 ELSE 0 END), 0) as managers'),
      )
      .orderByRaw(`s.domain${binary}`)
      .limit(query.limit);
    return rows.map((row) => ({
      domain: row.domain,
      name: row.name,
      users: Number(row.users),
      activeUsers: Number(row.active_users),
      activeManagers: Number(row.managers),
    }));
  }

  /**
   * The site with this domain (lowercase, compared exactly but for case) and
   * its managers, sorted by address; null when no site has it. One query.
   */
  async findSiteWithManagers(domain: string): Promise<CustomerWithManagers | null> {
    const rows: ManagerRow[] = await this.db(`${T.site} as s`)
      .leftJoin(`${T.user} as u`, (join) => join.on('u.site_id', 's.id').andOnVal('u.is_manager', '=', 1))
      .where(lowerEquals(this.db, 's.domain', domain))
      .select(
        's.id as site_id',
        's.domain',
        's.name',
        'u.email',
        'u.first_name',
        'u.last_name',
        'u.is_active',
        'u.last_login',
      );
    const site = rowsOfOneSite(rows, normaliseDomain(domain), (row) => ({
      id: Number(row.site_id),
      domain: row.domain,
      name: row.name,
    }));
    if (site.length === 0) return null;
    const managers = site
      .filter((row) => row.email !== null)
      .map((row) => ({
        email: row.email!,
        firstName: row.first_name ?? '',
        lastName: row.last_name ?? '',
        active: Boolean(Number(row.is_active)),
        lastLogin: toDate(row.last_login),
      }))
      .sort((a, b) => compareText(a.email, b.email));
    return { domain: site[0].domain, name: site[0].name, managers };
  }
}

// Sorted in code: MySQL's collation would order accented and mixed-case values differently from SQLite.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
