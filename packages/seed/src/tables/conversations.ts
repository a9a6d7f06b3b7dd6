import { SPOTLIGHT_TABLE as T } from '@spotlight/core';
import type { IdRange } from '../table-load';
import { userId, type SiteWriter } from '../site-writer';
import { DELETED_SHARE } from '../values';

/**
 * central_conversation and its followers (who are not activity). A few have
 * no creator (the account was removed) and count for nobody. Returns the
 * activity rows: the conversations that have a creator.
 */
export async function writeConversations(
  { siteId, rng, plan, load }: SiteWriter,
  users: IdRange,
  communities: IdRange,
): Promise<number> {
  let activityRows = 0;
  const conversations = load(T.conversation);
  const conversationIds: number[] = [];
  for (let u = 0; u < users.count; u += 1) {
    for (let k = 0; k < plan.counts.conversations[u]; k += 1) {
      const creator = rng.chance(0.05) && u !== 0 ? null : userId(users, u);
      if (creator !== null) activityRows += 1;
      const created = plan.when(u);
      conversationIds.push(
        await conversations.add([
          created,
          created,
          siteId,
          creator,
          rng.chance(0.4) ? communities.first + rng.int(communities.count) : null,
          `Conversation ${u}-${k}`,
          rng.chance(DELETED_SHARE),
          'How do we ship faster',
          rng.pick(['Open', 'Closed']),
          null,
          created,
          rng.chance(0.5) ? null : new Date(created.getTime() + 7 * 86_400_000),
          '',
        ]),
      );
    }
  }
  await conversations.end();
  const followers = load(T.conversationFollowers);
  for (const conversation of conversationIds) {
    for (const user of new Set(Array.from({ length: rng.int(3) }, plan.activeUser))) {
      await followers.add([conversation, userId(users, user)]);
    }
  }
  await followers.end();
  return activityRows;
}
