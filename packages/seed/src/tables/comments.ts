import { SPOTLIGHT_TABLE as T } from '@spotlight/core';
import type { IdRange } from '../table-load';
import { userId, type SiteWriter, type Written } from '../site-writer';
import { DELETED_SHARE } from '../values';

/**
 * central_ideacomment on the site's ideas (popular ideas get more; some
 * answer an earlier comment on the same idea), then the likes they get.
 */
export async function writeComments(site: SiteWriter, users: IdRange, ideas: IdRange): Promise<Written> {
  const { spec, siteId, rng, plan, load } = site;
  const commentCount = plan.sum('comments');
  const comments = load(T.comment);
  const firstComment = comments.reserve(commentCount);
  const lastCommentOn = new Int32Array(ideas.count);
  for (let u = 0, id = firstComment; u < users.count; u += 1) {
    for (let k = 0; k < plan.counts.comments[u]; k += 1, id += 1) {
      const idea = rng.skewed(ideas.count);
      const parent = lastCommentOn[idea] > 0 && rng.chance(0.3) ? lastCommentOn[idea] : null;
      lastCommentOn[idea] = id;
      const created = plan.when(u);
      await comments.add([
        created,
        created,
        siteId,
        userId(users, u),
        ideas.first + idea,
        parent,
        rng.chance(DELETED_SHARE),
        `I like this, ${u}-${k}`,
        rng.chance(0.1) ? created : null,
        rng.chance(0.02),
      ]);
    }
  }
  let activityRows = await comments.end();
  site.progress(`${spec.domain}: ${commentCount} comments`);

  const likes = load(T.commentLikes);
  for (let u = 0; u < users.count; u += 1) {
    for (const comment of rng.distinct(plan.counts.likes[u], commentCount))
      await likes.add([firstComment + comment, userId(users, u)]);
  }
  activityRows += await likes.end();
  site.progress(`${spec.domain}: likes`);
  return { ids: { first: firstComment, count: commentCount }, activityRows };
}
