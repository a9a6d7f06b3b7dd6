import type { Knex } from 'knex';
import type { Dialect } from '../db/connection';
import { SPOTLIGHT_TABLE as T } from '../db/models/spotlight-tables';
import type { DateRange } from './activity.types';
import { COUNT_SOURCES, sourceFrom } from './activity.sources';
import { comparesPrevious, PREVIOUS_PREFIX } from './activity-row';

/** What a row of the activity statement is: the user, or one community the user manages or joined. */
export const enum RowKind {
  User = 0,
  Managed = 1,
  Joined = 2,
}

/**
 * The activity statement that ActivityRepository streams: one row per user of
 * the site with each kind's counts, and one per community membership.
 */
export function activitySql(
  dialect: Dialect,
  siteId: number,
  range: DateRange,
  previousSince?: Date,
): { sql: string; bindings: Knex.RawBinding[] } {
  const bindings: Knex.RawBinding[] = [];
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
