import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { dialectOf, toDate } from '../db/connection';
import { captureQueries } from '../db/query-counter';
import { readInBatches } from '../db/row-stream';
import { lowerEquals } from '../db/compare';
import { Site } from '../db/models/site.model';
import { SPOTLIGHT_TABLE as T } from '../db/models/spotlight-tables';
import { User } from '../db/models/user.model';
import { rowsOfOneSite } from '../customers/one-site';
import { normaliseDomain, normaliseEmail, sameAddress } from '../input/address.rules';
import { type CommunityActivity, type DateRange, type UserActivity } from './activity.types';
import { comparesPrevious, finish, toUserActivity, type ActivityRow } from './activity-row';
import { activitySql, RowKind } from './activity.query';
import { communitiesSql } from './communities.query';

export interface SiteRecord {
  id: number;
  domain: string;
  name: string;
}

export interface SiteUserRecord {
  id: number;
  email: string;
  isManager: boolean;
  isActive: boolean;
}

export interface OtherSiteUserRecord extends SiteUserRecord {
  domain: string;
}

/** Reads Spotlight's users and their activity. Only this class queries those tables. */
export class ActivityRepository {
  constructor(private readonly db: Knex) {}

  /** Whether the database works out statements in this process (SQLite), not in a server of its own. */
  get runsInProcess(): boolean {
    return dialectOf(this.db) === 'sqlite';
  }

  /**
   * Runs `work` in one read-only transaction, with a repository bound to it,
   * so that every read sees the same consistent snapshot. Also tells how many
   * SQL statements the snapshot ran, BEGIN and COMMIT included.
   */
  async inSnapshot<T>(
    work: (snapshot: ActivityRepository) => Promise<T>,
  ): Promise<{ result: T; queries: number }> {
    // knex only emits SET TRANSACTION READ ONLY on MySQL; SQLite decides read
    // or write per statement and warns when asked.
    const config = dialectOf(this.db) === 'mysql' ? { readOnly: true } : {};
    // When the work fails because the connection died, knex's ROLLBACK fails
    // too and knex reports that instead; the work's own error says what happened.
    let failure: { error: unknown } | undefined;
    try {
      const { result, queries } = await captureQueries(this.db, () =>
        this.db.transaction(async (trx) => {
          try {
            return await work(new ActivityRepository(trx));
          } catch (error) {
            failure = { error };
            throw error;
          }
        }, config),
      );
      return { result, queries: queries.length };
    } catch (error) {
      throw failure ? failure.error : error;
    }
  }

  /**
   * The site with exactly that domain (null when there is none) and its users
   * with exactly that address: one query, which reads each of the site's users
   * once (Spotlight has no index on email). Both compare trimmed and
   * case-insensitively and nothing more (see {@link sameAddress}), whatever the
   * database's collation would fold.
   */
  async findSiteAndUsers(
    domain: string,
    email: string,
  ): Promise<{ site: SiteRecord; users: SiteUserRecord[] } | null> {
    const wantedDomain = normaliseDomain(domain);
    const wantedEmail = normaliseEmail(email);
    const rows: Array<Record<string, unknown>> = await this.db(`${Site.tableName} as s`)
      .leftJoin(`${User.tableName} as u`, (join) => {
        join.on('u.site_id', '=', 's.id').andOn(lowerEquals(this.db, 'u.email', wantedEmail, { trim: true }));
      })
      .where(lowerEquals(this.db, 's.domain', wantedDomain))
      .select(
        's.id as site_id',
        's.domain',
        's.name as site_name',
        'u.id as user_id',
        'u.email',
        'u.is_manager',
        'u.is_active',
      );
    // The SQL already compares exactly; this is the same rule in code, so no
    // collation, driver or charset conversion can widen who matches.
    const exact = rowsOfOneSite(rows, wantedDomain, (row) => ({
      id: Number(row.site_id),
      domain: String(row.domain),
      name: String(row.site_name),
    }));
    if (exact.length === 0) return null;
    const site = {
      id: Number(exact[0].site_id),
      domain: String(exact[0].domain),
      name: String(exact[0].site_name),
    };
    const users = exact
      .filter((row) => row.user_id !== null && sameAddress(String(row.email), wantedEmail))
      .map((row) => ({
        id: Number(row.user_id),
        email: String(row.email),
        isManager: Boolean(row.is_manager),
        isActive: Boolean(row.is_active),
      }));
    return { site, users };
  }

  /** How many active managers the site has; used only to explain a refusal. */
  async countActiveManagers(siteId: number): Promise<number> {
    const [row] = await this.db(User.tableName)
      .count({ n: '*' })
      .where({ site_id: siteId, is_manager: true, is_active: true });
    return Number(row.n);
  }

  /** The site with exactly that domain, or null: one query. */
  async findSite(domain: string): Promise<SiteRecord | null> {
    const wanted = normaliseDomain(domain);
    const sites = await Site.query(this.db).where(lowerEquals(this.db, 'domain', wanted));
    const [site] = rowsOfOneSite(sites, wanted, (candidate) => candidate);
    return site ? { id: site.id, domain: site.domain, name: site.name } : null;
  }

  /** Users with exactly that address on any other site; used only to explain a refusal. */
  async findUsersElsewhere(email: string, siteId: number): Promise<OtherSiteUserRecord[]> {
    const wanted = normaliseEmail(email);
    // Only the columns the refusal needs, in one plain statement: the same statements
    // whether the address is found elsewhere or nowhere, from the first refusal on.
    const rows: Array<{
      id: number;
      email: string;
      is_manager: unknown;
      is_active: unknown;
      domain: string;
    }> = await this.db(`${T.user} as u`)
      .join(`${T.site} as s`, 's.id', 'u.site_id')
      .select('u.id', 'u.email', 'u.is_manager', 'u.is_active', 's.domain')
      .where(lowerEquals(this.db, 'u.email', wanted, { trim: true }))
      .whereNot('u.site_id', siteId);
    return rows
      .filter((row) => sameAddress(row.email, wanted))
      .map((row) => ({
        id: Number(row.id),
        email: row.email,
        isManager: Boolean(row.is_manager),
        isActive: Boolean(row.is_active),
        domain: row.domain,
      }));
  }

  /**
   * Every user of the site with their activity, sorted by email, streamed from
   * one SQL statement: users are never all held in memory. Given
   * `previousSince` (a range with both ends), each user's dated kinds in
   * `[previousSince, since)` come from that same statement as `previous`.
   */
  async *streamActivity(
    siteId: number,
    range: DateRange = {},
    previousSince?: Date,
  ): AsyncGenerator<UserActivity> {
    for await (const users of this.streamActivityBatches(siteId, range, previousSince)) yield* users;
  }

  /**
   * {@link streamActivity}'s users, handed over as many at a time as their
   * rows have arrived: the workbook writer reads them so, without a promise
   * and a turn of the microtask queue for every user.
   */
  async *streamActivityBatches(
    siteId: number,
    range: DateRange = {},
    previousSince?: Date,
  ): AsyncGenerator<UserActivity[]> {
    const compared = comparesPrevious(range, previousSince);
    const stream = this.streamActivityRows(siteId, range, previousSince);
    let current: UserActivity | null = null;
    try {
      for await (const rows of readInBatches<ActivityRow>(stream)) {
        const complete: UserActivity[] = [];
        for (const row of rows) {
          const kind = Number(row.row_kind);
          if (kind === RowKind.User) {
            if (current) complete.push(finish(current));
            current = toUserActivity(row, compared);
          } else if (current && current.userId === Number(row.user_id) && row.community !== null) {
            (kind === RowKind.Managed ? current.communitiesManaged : current.communitiesJoined).push(
              row.community,
            );
          }
        }
        if (complete.length > 0) yield complete;
      }
      if (current) yield [finish(current)];
    } finally {
      // Stops the query when the consumer gives up early.
      if (!stream.destroyed) stream.destroy();
    }
  }

  /**
   * The rows of the activity query exactly as the database sends them, one
   * per user and one per membership. {@link streamActivity} folds them into
   * users; the bench reads them alone to time the query (its "floor").
   * Destroy the stream to stop early.
   */
  streamActivityRows(siteId: number, range: DateRange = {}, previousSince?: Date): Readable {
    const { sql, bindings } = activitySql(dialectOf(this.db), siteId, range, previousSince);
    // knex's stream is a Node Readable of row objects (its typings say PassThrough of any).
    return this.db.raw(sql, bindings).stream() as unknown as Readable;
  }

  /**
   * Every community of the site (deleted ones too) with its managers and
   * members, and the challenges, ideas (through their challenge), comments on
   * those ideas and conversations created in it inside the range; sorted by
   * name. One streamed statement.
   */
  async *streamCommunities(siteId: number, range: DateRange = {}): AsyncGenerator<CommunityActivity> {
    const { sql, bindings } = communitiesSql(siteId, range);
    const stream = this.db.raw(sql, bindings).stream() as unknown as NodeJS.ReadableStream &
      AsyncIterable<Record<string, unknown>> & { destroyed?: boolean; destroy(): void };
    try {
      for await (const row of stream) {
        yield {
          name: String(row.name ?? ''),
          created: toDate(row.created),
          deleted: Boolean(Number(row.is_deleted)),
          managers: Number(row.managers),
          members: Number(row.members),
          challenges: Number(row.challenges),
          ideas: Number(row.ideas),
          comments: Number(row.comments),
          conversations: Number(row.conversations),
        };
      }
    } finally {
      if (!stream.destroyed) stream.destroy();
    }
  }
}
