import type { Factory, SiteRow, UserRow } from '@spotlight/testing';

/**
 * A site with `users` users, a manager among them, and activity of every kind
 * spread over communities, so a query per user or per row would show in counts.
 */
export async function siteWithActivity(
  factory: Factory,
  users: number,
  domain?: string,
): Promise<{ site: SiteRow; manager: UserRow }> {
  const site = await factory.site(domain ? { domain } : {});
  const manager = await factory.manager({ site });
  const people: UserRow[] = [manager];
  for (let i = 1; i < users; i += 1) people.push(await factory.user({ site }));
  const communities = [];
  for (let i = 0; i < Math.min(40, Math.ceil(users / 8)); i += 1) {
    const community = await factory.community({ site, creator: people[i % people.length] });
    await factory.communityManager(community, people[i % people.length]);
    communities.push(community);
  }
  for (let i = 0; i < people.length; i += 3) {
    const user = people[i];
    const community = communities[i % communities.length];
    await factory.communityMember(community, user);
    const challenge = await factory.challenge({ site, creator: user, community });
    const idea = await factory.idea({ site, creator: user, challenge });
    const comment = await factory.comment({ site, creator: user, idea });
    await factory.commentLike(comment, people[(i + 1) % people.length]);
    await factory.vote({ creator: people[(i + 2) % people.length], idea });
    await factory.conversation({ site, creator: user, community });
  }
  return { site, manager };
}
