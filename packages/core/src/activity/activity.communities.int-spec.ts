import { describeEachDatabase, type SiteRow } from '../testing';
import { ActivityRepository } from './activity.repository';
import type { CommunityActivity, DateRange } from './activity.types';

async function communities(db: ActivityRepository, siteId: number, range: DateRange = {}) {
  const rows: CommunityActivity[] = [];
  for await (const row of db.streamCommunities(siteId, range)) rows.push(row);
  return rows;
}

describeEachDatabase('communities of a site', (db) => {
  let site: SiteRow;
  const early = new Date('2026-01-10T00:00:00Z');
  const late = new Date('2026-03-10T00:00:00Z');

  beforeAll(async () => {
    const f = db.factory;
    site = await f.site({ domain: 'groups.example.com', name: 'Groups' });
    const other = await f.site({ domain: 'elsewhere.example.com', name: 'Elsewhere' });
    const ann = await f.user({ site, email: 'ann@groups.example.com' });
    const bob = await f.user({ site, email: 'bob@groups.example.com' });
    const stranger = await f.user({ site: other, email: 'x@elsewhere.example.com' });

    // Inserted out of name order to prove the sort.
    const makers = await f.community({ site, creator: ann, name: 'Makers', created: early });
    const archive = await f.community({
      site,
      creator: bob,
      name: 'archive',
      created: late,
      is_deleted: true,
    });
    await f.community({ site, creator: bob, name: 'Quiet', created: late });
    const foreign = await f.community({ site: other, creator: stranger, name: 'Foreign' });

    await f.communityManager(makers, ann);
    await f.communityMember(makers, ann);
    await f.communityMember(makers, bob);
    await f.communityMember(archive, bob);
    await f.communityMember(foreign, stranger);

    const early1 = await f.challenge({ site, creator: ann, community: makers, created: early });
    await f.challenge({ site, creator: bob, community: makers, created: late });
    await f.challenge({ site, creator: bob, created: late }); // in no community
    const idea = await f.idea({ site, creator: bob, challenge: early1, created: late });
    await f.idea({ site, creator: ann, challenge: early1, created: early });
    await f.idea({ site, creator: ann, created: late }); // in no challenge
    await f.comment({ site, creator: ann, idea, created: late });
    await f.comment({ site, creator: bob, idea, created: early });
    await f.conversation({ site, creator: ann, community: archive, created: late });
    await f.conversation({ site, creator: null, community: makers, created: early });
    const foreignChallenge = await f.challenge({ site: other, creator: stranger, community: foreign });
    await f.idea({ site: other, creator: stranger, challenge: foreignChallenge });

    // Spotlight lets users cross sites: none of this is the site's, so none of it counts here.
    await f.communityManager(makers, stranger);
    await f.communityMember(makers, stranger);
    await f.communityMember(archive, stranger);
    await f.communityManager(foreign, ann);
    await f.communityMember(foreign, bob);
    // Another site's challenge filed in this site's community, with an idea of this site in it,
    // and a comment of this site on another site's idea in this site's challenge.
    const intruding = await f.challenge({ site: other, creator: stranger, community: makers, created: late });
    await f.idea({ site, creator: ann, challenge: intruding, created: late });
    const strangeIdea = await f.idea({ site: other, creator: stranger, challenge: early1, created: late });
    await f.comment({ site, creator: bob, idea: strangeIdea, created: late });
  });

  it('lists every community of the site once, sorted by name, deleted ones too, with what happened in it', async () => {
    const rows = await communities(new ActivityRepository(db.knex), site.id);
    expect(rows.map((row) => [row.name, row.deleted])).toEqual([
      ['archive', true],
      ['Makers', false],
      ['Quiet', false],
    ]);
    expect(rows[0]).toMatchObject({
      managers: 0,
      members: 1,
      challenges: 0,
      ideas: 0,
      comments: 0,
      conversations: 1,
    });
    expect(rows[0].created).toEqual(late);
    expect(rows[1]).toMatchObject({
      managers: 1,
      members: 2,
      challenges: 2,
      ideas: 2,
      comments: 2,
      conversations: 1,
    });
    expect(rows[2]).toMatchObject({
      managers: 0,
      members: 0,
      challenges: 0,
      ideas: 0,
      comments: 0,
      conversations: 0,
    });
  });

  it('counts only what was created inside a range, and managers and members whatever the range', async () => {
    const rows = await communities(new ActivityRepository(db.knex), site.id, { since: late });
    expect(rows.map((row) => row.name)).toEqual(['archive', 'Makers', 'Quiet']);
    expect(rows[1]).toMatchObject({
      managers: 1,
      members: 2,
      challenges: 1,
      ideas: 1,
      comments: 1,
      conversations: 0,
    });
    expect(rows[0]).toMatchObject({ members: 1, conversations: 1 });
    const before = await communities(new ActivityRepository(db.knex), site.id, { until: late });
    expect(before[1]).toMatchObject({ challenges: 1, ideas: 1, comments: 1, conversations: 1 });
  });

  it("counts as many members and managers as the user sheets list, though other sites' users join and manage", async () => {
    const repository = new ActivityRepository(db.knex);
    const rows = await communities(repository, site.id);
    let joined = 0;
    let managed = 0;
    for await (const user of repository.streamActivity(site.id)) {
      joined += user.communitiesJoined.length;
      managed += user.communitiesManaged.length;
    }
    expect([joined, managed]).toEqual([3, 1]);
    expect(rows.reduce((sum, row) => sum + row.members, 0)).toBe(joined);
    expect(rows.reduce((sum, row) => sum + row.managers, 0)).toBe(managed);
  });
});
