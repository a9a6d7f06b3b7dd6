import { SPOTLIGHT_TABLE as T } from '@spotlight/core';
import type { IdRange } from '../table-load';
import { userId, type SiteWriter, type Written } from '../site-writer';
import { DELETED_SHARE, TOPICS } from '../values';

const COMMUNITY_TYPES = ['Open', 'By Request', 'Invite Only'];

/**
 * central_community and the users around each: its managers (the creator and
 * a few others), members, applicants and banned members. Applicants and
 * banned members are not activity.
 */
export async function writeCommunities(site: SiteWriter, users: IdRange): Promise<Written> {
  const { spec, siteId, rng, plan, load } = site;
  const { counts, activeUser } = plan;
  const n = users.count;
  let activityRows = 0;

  const communityCount = plan.sum('communities');
  const communities = load(T.community);
  const firstCommunity = communities.reserve(communityCount);
  let c = 0;
  for (let u = 0; u < n; u += 1) {
    for (let k = 0; k < counts.communities[u]; k += 1, c += 1) {
      const created = plan.when(u);
      const deleted = rng.chance(DELETED_SHARE);
      const name = `${rng.pick(TOPICS)} ${c + 1}`;
      await communities.add([
        created,
        created,
        siteId,
        userId(users, u),
        name,
        deleted,
        '',
        rng.chance(0.05),
        deleted ? 'Deleted' : 'Active',
        rng.pick(COMMUNITY_TYPES),
        null,
      ]);
    }
  }
  activityRows += await communities.end();

  const managers = load(T.communityManagers);
  c = 0;
  for (let u = 0; u < n; u += 1) {
    for (let k = 0; k < counts.communities[u]; k += 1, c += 1) {
      const chosen = new Set([u]);
      for (let extra = rng.chance(0.5) ? rng.between(1, 2) : 0; extra > 0; extra -= 1)
        chosen.add(activeUser());
      for (const manager of chosen) await managers.add([firstCommunity + c, userId(users, manager)]);
    }
  }
  activityRows += await managers.end();

  const members = load(T.communityMembers);
  for (let u = 0; u < n; u += 1) {
    for (const community of rng.distinct(counts.memberships[u], communityCount)) {
      await members.add([firstCommunity + community, userId(users, u)]);
    }
  }
  activityRows += await members.end();

  for (const [table, share] of [
    [T.communityApplicants, 0.01],
    [T.communityBannedMembers, 0.002],
  ] as const) {
    const rows = load(table);
    const seen = new Set<number>();
    for (let k = Math.ceil(n * share); k > 0; k -= 1) {
      const community = rng.int(communityCount);
      const user = rng.int(n);
      if (seen.has(community * n + user)) continue;
      seen.add(community * n + user);
      await rows.add([firstCommunity + community, userId(users, user)]);
    }
    await rows.end();
  }
  site.progress(`${spec.domain}: ${communityCount} communities`);
  return { ids: { first: firstCommunity, count: communityCount }, activityRows };
}
