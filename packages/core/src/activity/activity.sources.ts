import type { Dialect } from '../db/connection';
import { SPOTLIGHT_TABLE as T } from '../db/models/spotlight-tables';
import type { ActivityCountKey } from './activity.types';

// Each counted kind is one aggregate over the site's rows, joined to the user
// list once: the number of queries does not depend on the number of users.
// `created` is filtered when a range is given; likes have no timestamp.
export const COUNT_SOURCES: ReadonlyArray<{
  key: ActivityCountKey;
  alias: string;
  /** The column naming the user who did it. */
  user: string;
  /** FROM and WHERE, with one `?` for the site id; per dialect where their planners need different shapes. */
  from: string | Record<Dialect, string>;
  created?: string;
}> = [
  {
    key: 'challenges',
    alias: 'ch',
    user: 'creator_id',
    from: `${T.challenge} WHERE site_id = ?`,
    created: 'created',
  },
  {
    key: 'ideas',
    alias: 'idea',
    user: 'creator_id',
    from: `${T.idea} WHERE site_id = ?`,
    created: 'created',
  },
  {
    key: 'comments',
    alias: 'cmt',
    user: 'creator_id',
    from: `${T.comment} WHERE site_id = ?`,
    created: 'created',
  },
  {
    key: 'commentLikes',
    alias: 'lk',
    user: 'l.user_id',
    from: `${T.commentLikes} l JOIN ${T.comment} c ON c.id = l.ideacomment_id WHERE c.site_id = ?`,
  },
  {
    key: 'votes',
    alias: 'vt',
    user: 'v.creator_id',
    from: {
      // Votes have no site_id. MariaDB reaching them through the site's ideas
      // (idea_id index, then the row for creator_id) costs a random read per
      // vote; scanning the unique (creator_id, idea_id) index alone, already
      // in creator order, and keeping the ideas found in the site's set is
      // several times cheaper. `id + 0` stops MariaDB from turning the set
      // back into that join. SQLite plans the join as that very scan already
      // (covering index, bloom filter on the site's ideas), and the IN form
      // makes it sort instead.
      mysql: `${T.ideaVote} v WHERE v.idea_id IN (SELECT id + 0 FROM ${T.idea} WHERE site_id = ?)`,
      sqlite: `${T.ideaVote} v JOIN ${T.idea} i ON i.id = v.idea_id WHERE i.site_id = ?`,
    },
    created: 'v.created',
  },
  {
    key: 'conversations',
    alias: 'cv',
    user: 'creator_id',
    from: `${T.conversation} WHERE site_id = ? AND creator_id IS NOT NULL`,
    created: 'created',
  },
  {
    key: 'communitiesCreated',
    alias: 'cm',
    user: 'creator_id',
    from: `${T.community} WHERE site_id = ?`,
    created: 'created',
  },
];

/**
 * The rows of the undated membership kinds of one site, with one `?` for the
 * site id, as the activity statement reads them.
 */
export const MEMBERSHIP_SOURCES: Readonly<Record<'communitiesManaged' | 'communitiesJoined', string>> = {
  communitiesManaged: `${T.communityManagers} m JOIN ${T.community} c ON c.id = m.community_id WHERE c.site_id = ?`,
  communitiesJoined: `${T.communityMembers} m JOIN ${T.community} c ON c.id = m.community_id WHERE c.site_id = ?`,
};

/** A source's FROM and WHERE on this dialect. */
export function sourceFrom(from: string | Record<Dialect, string>, dialect: Dialect): string {
  return typeof from === 'string' ? from : from[dialect];
}
