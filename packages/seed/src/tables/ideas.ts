import { SPOTLIGHT_TABLE as T } from '@spotlight/core';
import type { IdRange } from '../table-load';
import { userId, type SiteWriter, type Written } from '../site-writer';
import { DELETED_SHARE, TOPICS } from '../values';

const IDEA_STATUSES = ['Concept', 'In Review', 'Approved', 'Completed'];

/** central_idea, most of them in a challenge (early challenges get more), then central_ideavote on them. */
export async function writeIdeas(site: SiteWriter, users: IdRange, challenges: IdRange): Promise<Written> {
  const { spec, siteId, rng, plan, load } = site;
  const ideaCount = plan.sum('ideas');
  const ideas = load(T.idea);
  const firstIdea = ideas.reserve(ideaCount);
  for (let u = 0; u < users.count; u += 1) {
    for (let k = 0; k < plan.counts.ideas[u]; k += 1) {
      const created = plan.when(u);
      await ideas.add([
        created,
        created,
        siteId,
        userId(users, u),
        challenges.count > 0 && rng.chance(0.7) ? challenges.first + rng.skewed(challenges.count) : null,
        `Idea ${u}-${k}: ${rng.pick(TOPICS).toLowerCase()}`,
        rng.chance(DELETED_SHARE),
        rng.pick(IDEA_STATUSES),
        '',
        null,
        (rng.next() * 100).toFixed(6),
        rng.chance(0.3),
        rng.chance(0.05),
        rng.int(1000),
        rng.int(50),
        rng.int(10),
        rng.int(5000),
        rng.int(40),
      ]);
    }
  }
  let activityRows = await ideas.end();
  site.progress(`${spec.domain}: ${ideaCount} ideas`);

  const votes = load(T.ideaVote);
  for (let u = 0; u < users.count; u += 1) {
    for (const idea of rng.distinct(plan.counts.votes[u], ideaCount)) {
      const created = plan.when(u);
      await votes.add([created, created, userId(users, u), firstIdea + idea, rng.chance(0.85)]);
    }
  }
  activityRows += await votes.end();
  site.progress(`${spec.domain}: votes`);
  return { ids: { first: firstIdea, count: ideaCount }, activityRows };
}
