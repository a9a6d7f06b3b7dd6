import { SPOTLIGHT_TABLE as T } from '@spotlight/core';
import type { IdRange } from '../table-load';
import { userId, type SiteWriter, type Written } from '../site-writer';
import { DELETED_SHARE, TOPICS } from '../values';

/** central_challenge, half of them in a community, and their followers (who are not activity). */
export async function writeChallenges(
  { siteId, rng, plan, load }: SiteWriter,
  users: IdRange,
  communities: IdRange,
): Promise<Written> {
  const challengeCount = plan.sum('challenges');
  const challenges = load(T.challenge);
  const firstChallenge = challenges.reserve(challengeCount);
  for (let u = 0; u < users.count; u += 1) {
    for (let k = 0; k < plan.counts.challenges[u]; k += 1) {
      const created = plan.when(u);
      await challenges.add([
        created,
        created,
        siteId,
        userId(users, u),
        rng.chance(0.5) ? communities.first + rng.int(communities.count) : null,
        `${rng.pick(TOPICS)} challenge ${u}-${k}`,
        rng.chance(DELETED_SHARE),
        'What would make this better',
        rng.chance(0.2),
        rng.chance(0.1),
        rng.chance(0.5),
        rng.chance(0.2),
        rng.chance(0.3),
        null,
        null,
        rng.chance(0.5),
        false,
      ]);
    }
  }
  const activityRows = await challenges.end();
  const followers = load(T.challengeFollowers);
  for (let ch = 0; ch < challengeCount; ch += 1) {
    for (const user of new Set(Array.from({ length: rng.int(4) }, plan.activeUser))) {
      await followers.add([firstChallenge + ch, userId(users, user)]);
    }
  }
  await followers.end();
  return { ids: { first: firstChallenge, count: challengeCount }, activityRows };
}
