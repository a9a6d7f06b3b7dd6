import type { Knex } from 'knex';
import { SPOTLIGHT_TABLE } from '@spotlight/core';
import { planActivity } from './activity-plan';
import { Random } from './random';
import type { SiteSpec, SiteWriter } from './site-writer';
import { TableLoad, type IdAllocator, type IdRange, type SeededTable } from './table-load';
import { writeChallenges } from './tables/challenges';
import { writeComments } from './tables/comments';
import { writeCommunities } from './tables/communities';
import { writeConversations } from './tables/conversations';
import { writeIdeas } from './tables/ideas';
import { writeUsers } from './tables/users';

/** Where a generated site's rows are: consecutive ids from `first`. */
export interface SiteRows {
  siteId: number;
  users: IdRange;
  communities: IdRange;
  ideas: IdRange;
  comments: IdRange;
  /** Rows that count as activity in the export's sense (schema doc, kinds 1-9). */
  activityRows: number;
}

export interface SiteContext {
  db: Knex;
  ids: IdAllocator;
  progress: (message: string) => void;
}

/**
 * One customer: users whose activity follows a power law (many idle, most
 * light, a few very heavy), every kind of content and membership, and some
 * rows that must not count (followers, applicants, conversations nobody owns).
 * The table groups run in a fixed order on one seeded random sequence.
 */
export async function generateSite(ctx: SiteContext, spec: SiteSpec): Promise<SiteRows> {
  const rng = new Random(spec.seed);
  const load = (table: SeededTable) => new TableLoad(ctx.db, ctx.ids, table);

  const site = load(SPOTLIGHT_TABLE.site);
  const siteId = await site.add([spec.domain, spec.name]);
  await site.end();

  const writer: SiteWriter = {
    spec,
    siteId,
    rng,
    plan: planActivity(rng, spec.users),
    load,
    progress: ctx.progress,
  };
  const users = await writeUsers(writer);
  const communities = await writeCommunities(writer, users);
  const challenges = await writeChallenges(writer, users, communities.ids);
  const ideas = await writeIdeas(writer, users, challenges.ids);
  const conversationRows = await writeConversations(writer, users, communities.ids);
  const comments = await writeComments(writer, users, ideas.ids);

  return {
    siteId,
    users,
    communities: communities.ids,
    ideas: ideas.ids,
    comments: comments.ids,
    activityRows:
      communities.activityRows +
      challenges.activityRows +
      ideas.activityRows +
      conversationRows +
      comments.activityRows,
  };
}
