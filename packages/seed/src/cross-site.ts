import { SPOTLIGHT_TABLE as T } from '@spotlight/core';
import { Random } from './random';
import type { SiteContext, SiteRows } from './site';
import { stamp } from './values';
import { TableLoad } from './table-load';

/**
 * Rows that cross sites and must never count: users of one site voting,
 * liking and joining on the other. Returns how many rows it wrote.
 */
export async function crossSiteNoise(
  ctx: SiteContext,
  a: SiteRows,
  b: SiteRows,
  seed: number,
): Promise<number> {
  const rng = new Random(seed);
  const tables = {
    votes: new TableLoad(ctx.db, ctx.ids, T.ideaVote),
    members: new TableLoad(ctx.db, ctx.ids, T.communityMembers),
    likes: new TableLoad(ctx.db, ctx.ids, T.commentLikes),
  };
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    for (let k = 0; k < Math.min(20, from.users.count); k += 1) {
      const user = from.users.first + k;
      const created = stamp(rng);
      for (const idea of rng.distinct(2, to.ideas.count)) {
        await tables.votes.add([created, created, user, to.ideas.first + idea, true]);
      }
      for (const community of rng.distinct(1, to.communities.count)) {
        await tables.members.add([to.communities.first + community, user]);
      }
      for (const comment of rng.distinct(1, to.comments.count)) {
        await tables.likes.add([to.comments.first + comment, user]);
      }
    }
  }
  let written = 0;
  for (const table of Object.values(tables)) written += await table.end();
  return written;
}
