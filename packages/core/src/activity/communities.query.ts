import type { Knex } from 'knex';
import { SPOTLIGHT_TABLE as T } from '../db/models/spotlight-tables';
import type { DateRange } from './activity.types';

/** The Communities sheet's statement: one aggregate per count, grouped by community and joined once. */
export function communitiesSql(
  siteId: number,
  range: DateRange,
): { sql: string; bindings: Knex.RawBinding[] } {
  /** The range's condition on a `created` column, and its values. */
  const inRange = (created: string): [string, Knex.RawBinding[]] => [
    (range.since ? ` AND ${created} >= ?` : '') + (range.until ? ` AND ${created} < ?` : ''),
    [...(range.since ? [range.since] : []), ...(range.until ? [range.until] : [])],
  ];
  // Each count is one aggregate over the site's rows, grouped by community and
  // joined once: the statement does not grow with the number of communities.
  // Like the user sheets, it counts only the site's users and content: Spotlight
  // lets users of another site join or manage a community, and content of one
  // site point at another's (an idea in another site's challenge).
  // Ideas and comments reach their community through their challenge: each is
  // first counted per idea or challenge in one pass over the site's rows, and
  // only those counts are joined on. Joining every comment to its idea and
  // every idea to its challenge instead costs a random read per row (3.1-3.6 s
  // against 1.5-1.7 s for the comments at 100k users on MariaDB, 3.2-3.7 s
  // against 1.0-1.3 s on SQLite). Every grouped count joined on its group
  // column selects and groups by `column + 0`: given the bare column, MariaDB
  // may join the count "lateral", working it out again for every row it is
  // joined to (minutes at 100k users, 9.6 s at 1k for the comments alone), or
  // group in the column's index order, a random read per row (3.2 s instead
  // of 0.9 s for the comments at 100k).
  const ideasPerChallenge = (condition: string) =>
    `(SELECT challenge_id + 0 AS challenge_id, COUNT(*) AS n FROM ${T.idea}` +
    ` WHERE site_id = ?${condition} GROUP BY challenge_id + 0) i`;
  const commentsPerChallenge = (condition: string) =>
    `(SELECT i.challenge_id + 0 AS challenge_id, SUM(cm.n) AS n FROM` +
    ` (SELECT response_to_id + 0 AS response_to_id, COUNT(*) AS n FROM ${T.comment}` +
    ` WHERE site_id = ?${condition} GROUP BY response_to_id + 0) cm` +
    ` JOIN ${T.idea} i ON i.id = cm.response_to_id WHERE i.site_id = ? GROUP BY i.challenge_id + 0) x`;
  const counts: Array<{
    alias: string;
    community: string;
    /**
     * The rows, with a `?` for the site, `condition` where the range goes (if
     * dated), then `alsoOfSite` more `?` for the site.
     */
    from: (condition: string) => string;
    alsoOfSite?: number;
    total?: string;
    created?: string;
  }> = [
    {
      alias: 'managers',
      community: 'm.community_id',
      from: () =>
        `${T.communityManagers} m JOIN ${T.community} mc ON mc.id = m.community_id` +
        ` JOIN ${T.user} mu ON mu.id = m.user_id WHERE mc.site_id = ? AND mu.site_id = mc.site_id`,
    },
    {
      alias: 'members',
      community: 'm.community_id',
      from: () =>
        `${T.communityMembers} m JOIN ${T.community} mc ON mc.id = m.community_id` +
        ` JOIN ${T.user} mu ON mu.id = m.user_id WHERE mc.site_id = ? AND mu.site_id = mc.site_id`,
    },
    {
      alias: 'challenges',
      community: 'ch.community_id',
      from: (condition) => `${T.challenge} ch WHERE ch.site_id = ?${condition}`,
      created: 'ch.created',
    },
    {
      alias: 'ideas',
      community: 'ch.community_id + 0',
      from: (condition) =>
        `${ideasPerChallenge(condition)} JOIN ${T.challenge} ch ON ch.id = i.challenge_id WHERE ch.site_id = ?`,
      alsoOfSite: 1,
      total: 'SUM(i.n)',
      created: 'created',
    },
    {
      alias: 'comments',
      community: 'ch.community_id + 0',
      from: (condition) =>
        `${commentsPerChallenge(condition)} JOIN ${T.challenge} ch ON ch.id = x.challenge_id WHERE ch.site_id = ?`,
      alsoOfSite: 2,
      total: 'SUM(x.n)',
      created: 'created',
    },
    {
      alias: 'conversations',
      community: 'cv.community_id',
      from: (condition) => `${T.conversation} cv WHERE cv.site_id = ?${condition}`,
      created: 'cv.created',
    },
  ];
  const bindings: Knex.RawBinding[] = [];
  const joins = counts.map(({ alias, community, from, total, created, alsoOfSite = 0 }) => {
    const [condition, values] = created ? inRange(created) : ['', []];
    bindings.push(siteId, ...values, ...Array<number>(alsoOfSite).fill(siteId));
    return (
      `LEFT JOIN (SELECT ${community} AS community_id, ${total ?? 'COUNT(*)'} AS n FROM ${from(condition)}` +
      ` GROUP BY ${community}) ${alias} ON ${alias}.community_id = c.id`
    );
  });
  const columns = counts.map(({ alias }) => `COALESCE(${alias}.n, 0) AS ${alias}`);
  bindings.push(siteId);
  return {
    sql:
      `SELECT c.name, c.created, c.is_deleted, ${columns.join(', ')} FROM ${T.community} c ${joins.join(' ')}` +
      ' WHERE c.site_id = ? ORDER BY LOWER(c.name), c.name, c.id',
    bindings,
  };
}
