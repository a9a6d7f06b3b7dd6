import type { Knex } from 'knex';
import type { Factory, SiteRow, UserRow } from '@spotlight/core/testing';

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

/**
 * A site with `users` active users (each a member of one community), inserted
 * in batches: big enough that a download takes measurable time, quick to seed.
 */
export async function siteWithManyMembers(
  knex: Knex,
  factory: Factory,
  users: number,
): Promise<{ site: SiteRow; manager: UserRow }> {
  const site = await factory.site();
  const manager = await factory.manager({ site });
  const community = await factory.community({ site, creator: manager });
  const rows = Array.from({ length: users - 1 }, (_, i) => ({
    password: '!',
    last_login: null,
    is_active: true,
    is_staff: false,
    is_siteadmin: false,
    is_contributor: true,
    is_limited_contributor: false,
    is_manager: false,
    is_student: false,
    is_advisor: false,
    date_joined: new Date('2025-01-02T03:04:05.000Z'),
    username: `bulk${site.id}-${i}`,
    email: `bulk${String(i).padStart(6, '0')}@${site.domain}`,
    first_name: 'Bulk',
    last_name: `Member ${i} with a name long enough to fill a cell`,
    display_name: `Bulk ${i}`,
    site_id: site.id,
  }));
  await knex.batchInsert('central_user', rows, 500);
  const ids: Array<{ id: number }> = await knex('central_user').where({ site_id: site.id }).select('id');
  await knex.batchInsert(
    'central_community_members',
    ids.map(({ id }) => ({ community_id: community.id, user_id: id })),
    500,
  );
  return { site, manager };
}
