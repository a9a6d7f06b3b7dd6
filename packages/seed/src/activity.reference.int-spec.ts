import type { Knex } from 'knex';
import {
  ActivityRepository,
  changeStatus,
  engagementLevel,
  previousLevel,
  previousPeriod,
  toDate,
  type DateRange,
  type UserActivity,
} from '@spotlight/core';
import { describeEachDatabase, type SiteRow } from '@spotlight/core/testing';
import { generateCustomer } from './seed';

type Row = Record<string, unknown>;

// Core's streamed activity query checked against generated customers: it
// lives here because core cannot depend on the generator.

/**
 * The schema document's definition of a user's activity, counted the plain
 * way: every row of every table read once, filtered and tallied in code. The
 * repository's one aggregated statement must give exactly these figures.
 */
async function referenceActivity(db: Knex, siteId: number, range: DateRange) {
  const inRange = (row: Row) => {
    const created = toDate(row.created)!;
    return (!range.since || created >= range.since) && (!range.until || created < range.until);
  };
  const ofSite = (rows: Row[]) => rows.filter((row) => Number(row.site_id) === siteId);
  const ids = (rows: Row[]) => new Set(rows.map((row) => Number(row.id)));
  const tally = (rows: Row[], user: string) => {
    const counts = new Map<number, number>();
    for (const row of rows) {
      if (row[user] === null) continue;
      counts.set(Number(row[user]), (counts.get(Number(row[user])) ?? 0) + 1);
    }
    return counts;
  };
  const [users, challenges, ideas, comments, likes, votes, conversations, communities, managers, members] =
    await Promise.all(
      [
        'central_user',
        'central_challenge',
        'central_idea',
        'central_ideacomment',
        'central_ideacomment_liked_by',
        'central_ideavote',
        'central_conversation',
        'central_community',
        'central_community_managers',
        'central_community_members',
      ].map((table) => db(table).select<Row[]>('*')),
    );
  const siteIdeas = ids(ofSite(ideas));
  const siteComments = ids(ofSite(comments));
  const siteCommunities = new Map(ofSite(communities).map((row) => [Number(row.id), String(row.name)]));
  const counts = {
    challenges: tally(ofSite(challenges).filter(inRange), 'creator_id'),
    ideas: tally(ofSite(ideas).filter(inRange), 'creator_id'),
    comments: tally(ofSite(comments).filter(inRange), 'creator_id'),
    commentLikes: tally(
      likes.filter((row) => siteComments.has(Number(row.ideacomment_id))),
      'user_id',
    ),
    votes: tally(
      votes.filter((row) => siteIdeas.has(Number(row.idea_id)) && inRange(row)),
      'creator_id',
    ),
    conversations: tally(ofSite(conversations).filter(inRange), 'creator_id'),
    communitiesCreated: tally(ofSite(communities).filter(inRange), 'creator_id'),
  };
  const names = (rows: Row[], user: number) =>
    rows
      .filter((row) => Number(row.user_id) === user && siteCommunities.has(Number(row.community_id)))
      .map((row) => siteCommunities.get(Number(row.community_id))!)
      .sort();
  return new Map(
    ofSite(users).map((row) => {
      const id = Number(row.id);
      return [
        id,
        {
          challenges: counts.challenges.get(id) ?? 0,
          ideas: counts.ideas.get(id) ?? 0,
          comments: counts.comments.get(id) ?? 0,
          commentLikes: counts.commentLikes.get(id) ?? 0,
          votes: counts.votes.get(id) ?? 0,
          conversations: counts.conversations.get(id) ?? 0,
          communitiesCreated: counts.communitiesCreated.get(id) ?? 0,
          communitiesManaged: names(managers, id),
          communitiesJoined: names(members, id),
        },
      ];
    }),
  );
}

/**
 * Each community of the site counted the plain way: its managers and members
 * who are users of the site, and the site's challenges, ideas (through the
 * site's challenges), comments on those ideas and conversations in it,
 * created inside the range.
 */
async function referenceCommunities(db: Knex, siteId: number, range: DateRange) {
  const inRange = (row: Row) => {
    const created = toDate(row.created)!;
    return (!range.since || created >= range.since) && (!range.until || created < range.until);
  };
  const [communities, managers, members, challenges, ideas, comments, conversations, users] =
    await Promise.all(
      [
        'central_community',
        'central_community_managers',
        'central_community_members',
        'central_challenge',
        'central_idea',
        'central_ideacomment',
        'central_conversation',
        'central_user',
      ].map((table) => db(table).select<Row[]>('*')),
    );
  const siteUsers = new Set(
    users.filter((row) => Number(row.site_id) === siteId).map((row) => Number(row.id)),
  );
  const ofSiteUsers = (rows: Row[]) => rows.filter((row) => siteUsers.has(Number(row.user_id)));
  const ofSite = (rows: Row[]) => rows.filter((row) => Number(row.site_id) === siteId);
  const communityOf = new Map(ofSite(challenges).map((row) => [Number(row.id), row.community_id]));
  const challengeOf = new Map(ofSite(ideas).map((row) => [Number(row.id), row.challenge_id]));
  const inCommunity = (challenge: unknown) =>
    challenge === null ? null : communityOf.get(Number(challenge));
  const ofSiteInRange = (rows: Row[]) => rows.filter((row) => Number(row.site_id) === siteId && inRange(row));
  const count = (values: unknown[], community: number) =>
    values.filter((value) => value !== null && value !== undefined && Number(value) === community).length;
  return communities
    .filter((row) => Number(row.site_id) === siteId)
    .map((row) => {
      const id = Number(row.id);
      return {
        name: String(row.name),
        managers: count(
          ofSiteUsers(managers).map((m) => m.community_id),
          id,
        ),
        members: count(
          ofSiteUsers(members).map((m) => m.community_id),
          id,
        ),
        challenges: count(
          ofSiteInRange(challenges).map((ch) => ch.community_id),
          id,
        ),
        ideas: count(
          ofSiteInRange(ideas).map((idea) => inCommunity(idea.challenge_id)),
          id,
        ),
        comments: count(
          ofSiteInRange(comments).map((cm) =>
            inCommunity(challengeOf.get(Number(cm.response_to_id)) ?? null),
          ),
          id,
        ),
        conversations: count(
          ofSiteInRange(conversations).map((cv) => cv.community_id),
          id,
        ),
      };
    });
}

async function streamedCommunities(db: Knex, siteId: number, range: DateRange) {
  const rows = [];
  for await (const {
    name,
    managers,
    members,
    challenges,
    ideas,
    comments,
    conversations,
  } of new ActivityRepository(db).streamCommunities(siteId, range))
    rows.push({ name, managers, members, challenges, ideas, comments, conversations });
  return rows;
}

/**
 * The schema document's engagement level over dated kinds, and the user's
 * status between two periods, written out again from the document.
 */
function referenceLevel(counts: {
  challenges: number;
  ideas: number;
  comments: number;
  votes: number;
  conversations: number;
  communitiesCreated: number;
}): string {
  if (counts.challenges > 0 || counts.ideas > 0 || counts.conversations > 0 || counts.communitiesCreated > 0)
    return 'Creator';
  if (counts.comments > 0) return 'Contributor';
  if (counts.votes > 0) return 'Supporter';
  return 'Idle';
}

function referenceStatus(now: string, then: string): string {
  if (now !== 'Idle' && then === 'Idle') return 'New';
  if (now !== 'Idle' && then !== 'Idle') return 'Retained';
  if (now === 'Idle' && then !== 'Idle') return 'Lapsed';
  return 'Idle in both';
}

const byContent = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));

async function streamed(db: Knex, siteId: number, range: DateRange) {
  const users: UserActivity[] = [];
  for await (const user of new ActivityRepository(db).streamActivity(siteId, range)) users.push(user);
  return new Map(
    users.map((user) => [
      user.userId,
      {
        challenges: user.challenges,
        ideas: user.ideas,
        comments: user.comments,
        commentLikes: user.commentLikes,
        votes: user.votes,
        conversations: user.conversations,
        communitiesCreated: user.communitiesCreated,
        communitiesManaged: [...user.communitiesManaged].sort(),
        communitiesJoined: [...user.communitiesJoined].sort(),
      },
    ]),
  );
}

describeEachDatabase('activity repository against a plain count', (db) => {
  let site: SiteRow;
  let other: SiteRow;
  const since = new Date('2025-09-01T00:00:00Z');
  const until = new Date('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    // A generated customer beside two others that share addresses and act on
    // each other's ideas, comments and communities.
    const generated = await generateCustomer(db.knex, {
      users: 400,
      seed: 11,
      noiseSites: 2,
      domain: 'plain-count.example.com',
    });
    site = generated.site;
    other = (await db.knex('django_site').where({ domain: generated.noiseSites[0] }).first()) as SiteRow;

    // Edge cases the generator may not hit, on rows everything else ignores.
    const f = db.factory;
    const inactive = await f.user({ site, is_active: false });
    const stranger = await f.user({ site: other });
    const deletedIdea = await f.idea({ site, creator: inactive, is_deleted: true, created: since });
    const foreignIdea = await f.idea({ site: other, creator: stranger });
    const deletedComment = await f.comment({ site, creator: inactive, idea: deletedIdea, is_deleted: true });
    const foreignComment = await f.comment({ site: other, creator: stranger, idea: foreignIdea });
    const community = await f.community({ site, creator: inactive, is_deleted: true, created: until });
    const foreignCommunity = await f.community({ site: other, creator: stranger });
    // Votes on the site's deleted idea, one exactly at `since` (inside) and
    // one exactly at `until` (outside); votes on another site's idea.
    await f.vote({ creator: inactive, idea: deletedIdea, created: since });
    await f.vote({ creator: stranger, idea: deletedIdea, created: until });
    await f.vote({ creator: inactive, idea: foreignIdea });
    await f.commentLike(deletedComment, inactive);
    await f.commentLike(deletedComment, stranger);
    await f.commentLike(foreignComment, inactive);
    await f.communityManager(community, inactive);
    await f.communityMember(community, stranger);
    await f.communityMember(foreignCommunity, inactive);
    await f.conversation({ site, creator: null });
    await f.challenge({ site, creator: inactive, is_deleted: true, created: until });
  });

  it.each([
    ['without a range', {}],
    ['with a range', { since, until }],
    ['with only a start', { since }],
  ])('gives every user of the site the same counts as the plain count, %s', async (_label, range) => {
    const expected = await referenceActivity(db.knex, site.id, range);
    const actual = await streamed(db.knex, site.id, range);
    // The figures cover real activity of every kind, not a sea of zeros.
    for (const key of [
      'challenges',
      'ideas',
      'comments',
      'votes',
      'conversations',
      'communitiesCreated',
    ] as const)
      expect([...expected.values()].some((user) => user[key] > 0)).toBe(true);
    expect([...expected.values()].some((user) => user.commentLikes > 0)).toBe(true);
    expect([...expected.values()].some((user) => user.communitiesJoined.length > 0)).toBe(true);
    expect(actual.size).toBe(expected.size);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });

  it.each([
    ['without a range', {}],
    ['with a range', { since, until }],
    ['with only a start', { since }],
  ])('gives every community of the site the same counts as the plain count, %s', async (_label, range) => {
    const expected = await referenceCommunities(db.knex, site.id, range);
    const actual = await streamedCommunities(db.knex, site.id, range);
    for (const key of ['managers', 'members', 'challenges', 'ideas', 'comments', 'conversations'] as const)
      expect(expected.some((community) => community[key] > 0)).toBe(true);
    expect(actual.sort(byContent)).toEqual(expected.sort(byContent));
  });

  it.each([
    ['six calendar months', { since, until }, 'UTC', 'March 2025 to August 2025'],
    [
      'a quarter in Paris',
      { since: new Date('2025-09-30T22:00:00Z'), until: new Date('2025-12-31T23:00:00Z') },
      'Europe/Paris',
      'Q3 2025',
    ],
    [
      '97 days',
      { since: new Date('2025-10-15T00:00:00Z'), until: new Date('2026-01-20T00:00:00Z') },
      'UTC',
      '2025-07-10 to 2025-10-14',
    ],
  ])(
    'gives every user the previous period of %s from the same statement as the plain count',
    async (_label, range, timeZone, words) => {
      const previous = previousPeriod(range, timeZone)!;
      expect(previous.words).toBe(words);
      expect(previous.until).toEqual(range.since);
      const now = await referenceActivity(db.knex, site.id, range);
      const then = await referenceActivity(db.knex, site.id, {
        since: previous.since,
        until: previous.until,
      });
      const users: UserActivity[] = [];
      for await (const user of new ActivityRepository(db.knex).streamActivity(site.id, range, previous.since))
        users.push(user);
      expect(users).toHaveLength(now.size);

      const statuses = new Map<string, number>();
      for (const user of users) {
        const current = now.get(user.userId)!;
        const earlier = then.get(user.userId)!;
        // This period's figures are untouched by the widened statement.
        expect({ ...user, previous: undefined }).toMatchObject({
          challenges: current.challenges,
          ideas: current.ideas,
          comments: current.comments,
          commentLikes: current.commentLikes,
          votes: current.votes,
          conversations: current.conversations,
          communitiesCreated: current.communitiesCreated,
        });
        expect(user.previous).toEqual({
          challenges: earlier.challenges,
          ideas: earlier.ideas,
          comments: earlier.comments,
          votes: earlier.votes,
          conversations: earlier.conversations,
          communitiesCreated: earlier.communitiesCreated,
        });
        const status = referenceStatus(referenceLevel(current), referenceLevel(earlier));
        expect([
          previousLevel(user),
          changeStatus(engagementLevel(user, range), previousLevel(user)!),
        ]).toEqual([referenceLevel(earlier), status]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      // Every status is met, so the comparison is not of a sea of idle users.
      expect([...statuses.keys()].sort()).toEqual(['Idle in both', 'Lapsed', 'New', 'Retained']);
    },
  );
});
