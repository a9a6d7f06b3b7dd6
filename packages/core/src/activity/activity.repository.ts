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
import { COUNT_SOURCES, sourceFrom } from './activity.sources';
import { comparesPrevious, finish, PREVIOUS_PREFIX, toUserActivity, type ActivityRow } from './activity-row';
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

const enum RowKind {
  User = 0,
  Managed = 1,
  Joined = 2,
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
    const users = await User.query(this.db)
      .withGraphJoined('site')
      .where(lowerEquals(this.db, `${T.user}.email`, wanted, { trim: true }))
      .whereNot(`${T.user}.site_id`, siteId);
    return users
      .filter((user) => sameAddress(user.email, wanted))
      .map((user) => ({
        id: user.id,
        email: user.email,
        isManager: Boolean(user.is_manager),
        isActive: Boolean(user.is_active),
        domain: (user as User & { site: Site }).site.domain,
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
    const { sql, bindings } = this.activitySql(siteId, range, previousSince);
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

  private activitySql(
    siteId: number,
    range: DateRange,
    previousSince?: Date,
  ): { sql: string; bindings: Knex.RawBinding[] } {
    const bindings: Knex.RawBinding[] = [];
    const dialect = dialectOf(this.db);
    const compared = comparesPrevious(range, previousSince);
    // Each kind's rows of the site, grouped by user: FROM and WHERE with the
    // range. Compared with the previous period, the range is widened to start
    // there and each dated kind is counted per period in the same pass:
    // n inside the range, p before it.
    const kinds = COUNT_SOURCES.map(({ key, alias, user, from, created }) => {
      let where = sourceFrom(from, dialect);
      const kindBindings: Knex.RawBinding[] = [];
      let counts = 'COUNT(*) AS n';
      if (compared) {
        if (created) {
          counts = `SUM(CASE WHEN ${created} >= ? THEN 1 ELSE 0 END) AS n, SUM(CASE WHEN ${created} < ? THEN 1 ELSE 0 END) AS p`;
          kindBindings.push(range.since!, range.since!);
        } else counts += ', 0 AS p';
      }
      kindBindings.push(siteId);
      const since = compared ? previousSince : range.since;
      if (created && since) {
        where += ` AND ${created} >= ?`;
        kindBindings.push(since);
      }
      if (created && range.until) {
        where += ` AND ${created} < ?`;
        kindBindings.push(range.until);
      }
      return {
        key,
        alias,
        dated: created !== undefined,
        grouped: `SELECT ${user} AS user_id, ${counts} FROM ${where} GROUP BY ${user}`,
        kindBindings,
      };
    });
    const previous = compared ? kinds.filter(({ dated }) => dated) : [];
    const userColumns =
      `u.id AS user_id, LOWER(u.email) AS sort_email, u.email, u.first_name, u.last_name,` +
      ` u.is_active, u.date_joined, u.last_login, ${RowKind.User} AS row_kind, NULL AS community`;
    let users: string;
    if (dialect === 'mysql') {
      // MariaDB joins each kind's counts to the user list; each kind's FROM is
      // shaped for its planner (see COUNT_SOURCES).
      users =
        `SELECT ${userColumns}, ${kinds.map(({ key, alias }) => `COALESCE(${alias}.n, 0) AS ${key}`).join(', ')}` +
        previous.map(({ key, alias }) => `, COALESCE(${alias}.p, 0) AS ${PREVIOUS_PREFIX}${key}`).join('') +
        ` FROM ${T.user} u ${kinds.map(({ alias, grouped }) => `LEFT JOIN (${grouped}) ${alias} ON ${alias}.user_id = u.id`).join(' ')}` +
        ` WHERE u.site_id = ?`;
      for (const { kindBindings } of kinds) bindings.push(...kindBindings);
      bindings.push(siteId);
    } else {
      // SQLite would copy each kind's counts into a temporary table and index
      // it to join it (about 19 MB of the process's memory at 100k users,
      // each such table allowed 16 MB before it spills to disk). Here the
      // counts, one row per user and kind, and a row for every user of the
      // site, are grouped once by user, in a sort that spills to disk past
      // the page cache's size, and each group is joined to its user by
      // primary key: nothing is copied. At 100k users: the same rows, as
      // fast, 6.6 MB instead of 19.1. CROSS JOIN keeps SQLite's planner from
      // turning the join around, which would copy the groups again.
      const p = compared ? ', p' : '';
      const sums = [
        ...kinds.map(({ key }, i) => `SUM(CASE WHEN k = ${i + 1} THEN n ELSE 0 END) AS ${key}`),
        ...previous.map(
          ({ key }) =>
            `SUM(CASE WHEN k = ${kinds.findIndex((kind) => kind.key === key) + 1} THEN p ELSE 0 END) AS ${PREVIOUS_PREFIX}${key}`,
        ),
      ];
      const perKind = kinds.map(({ grouped }, i) => `SELECT user_id, ${i + 1} AS k, n${p} FROM (${grouped})`);
      users =
        `SELECT ${userColumns}, ${kinds.map(({ key }) => `a.${key}`).join(', ')}` +
        previous.map(({ key }) => `, a.${PREVIOUS_PREFIX}${key}`).join('') +
        ` FROM (SELECT user_id, ${sums.join(', ')} FROM (` +
        `SELECT id AS user_id, 0 AS k, 0 AS n${compared ? ', 0 AS p' : ''} FROM ${T.user} WHERE site_id = ?` +
        perKind.map((select) => ` UNION ALL ${select}`).join('') +
        `) GROUP BY user_id) a CROSS JOIN ${T.user} u ON u.id = a.user_id WHERE u.site_id = ?`;
      bindings.push(siteId);
      for (const { kindBindings } of kinds) bindings.push(...kindBindings);
      bindings.push(siteId);
    }
    const zeros = [
      ...COUNT_SOURCES.map(({ key }) => `0 AS ${key}`),
      ...previous.map(({ key }) => `0 AS ${PREVIOUS_PREFIX}${key}`),
    ];
    const membership = (table: string, kind: RowKind) =>
      `SELECT u.id AS user_id, LOWER(u.email) AS sort_email, u.email, NULL AS first_name, NULL AS last_name,` +
      ` NULL AS is_active, NULL AS date_joined, NULL AS last_login, ${kind} AS row_kind, c.name AS community, ${zeros.join(', ')}` +
      ` FROM ${table} m JOIN ${T.community} c ON c.id = m.community_id` +
      ` JOIN ${T.user} u ON u.id = m.user_id WHERE c.site_id = ? AND u.site_id = ?`;
    const sql = [
      users,
      membership(T.communityManagers, RowKind.Managed),
      membership(T.communityMembers, RowKind.Joined),
    ].join(' UNION ALL ');
    bindings.push(siteId, siteId, siteId, siteId);
    const order = 'ORDER BY sort_email, user_id, row_kind';
    // SQLite sorts each part of a UNION apart and merges them, each sort
    // keeping up to the page cache's size in memory; sorted as one, the
    // statement holds 5.1 MB instead of 6.6 at 100k users, as fast.
    return { sql: dialect === 'sqlite' ? `SELECT * FROM (${sql}) ${order}` : `${sql} ${order}`, bindings };
  }
}
