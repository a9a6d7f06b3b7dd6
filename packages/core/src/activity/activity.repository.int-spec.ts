import type { Knex } from 'knex';
import { createTestDatabase, describeEachDatabase, Factory, type SiteRow, type UserRow } from '../testing';
import { createDatabase } from '../db/connection';
import { ActivityRepository } from './activity.repository';
import { engagementLevel, isActive, type UserActivity } from './activity.types';

async function collect(
  repo: ActivityRepository,
  siteId: number,
  range = {},
  previousSince?: Date,
): Promise<UserActivity[]> {
  const users: UserActivity[] = [];
  for await (const user of repo.streamActivity(siteId, range, previousSince)) users.push(user);
  return users;
}

const NO_ACTIVITY = {
  challenges: 0,
  ideas: 0,
  comments: 0,
  commentLikes: 0,
  votes: 0,
  conversations: 0,
  communitiesCreated: 0,
  communitiesManaged: [],
  communitiesJoined: [],
};

describeEachDatabase('activity repository', (db) => {
  let site: SiteRow;
  let other: SiteRow;
  let alice: UserRow;
  let bob: UserRow;
  let idle: UserRow;
  let stranger: UserRow;
  const early = new Date('2026-01-10T00:00:00Z');
  const late = new Date('2026-03-10T00:00:00Z');

  beforeAll(async () => {
    const f = db.factory;
    site = await f.site({ domain: 'acme.example.com', name: 'Acme' });
    other = await f.site({ domain: 'other.example.org', name: 'Other' });
    // Inserted out of email order, with mixed case, to prove the sort.
    bob = await f.user({
      site,
      email: 'bob@acme.example.com',
      first_name: 'Bob',
      last_name: '=HYPERLINK("x")',
    });
    alice = await f.user({
      site,
      email: 'Alice@acme.example.com',
      first_name: 'Alice',
      last_name: 'A',
      is_active: false,
    });
    idle = await f.user({
      site,
      email: 'idle@acme.example.com',
      last_login: new Date('2026-02-01T10:00:00Z'),
    });
    stranger = await f.user({ site: other, email: 'stranger@other.example.org' });

    // Alice: one of each counted kind, some deleted, some early, some late.
    const zeta = await f.community({ site, creator: alice, name: 'Zeta; team', created: early });
    const alpha = await f.community({ site, creator: bob, name: 'alpha', created: late });
    const beta = await f.community({ site, creator: bob, name: 'Beta', created: late });
    await f.challenge({ site, creator: alice, created: early });
    await f.challenge({ site, creator: alice, is_deleted: true, created: late });
    const idea = await f.idea({ site, creator: alice, created: late });
    const bobsIdea = await f.idea({ site, creator: bob, created: early });
    const comment = await f.comment({ site, creator: alice, idea: bobsIdea, created: early });
    await f.comment({ site, creator: alice, idea, is_deleted: true, created: late });
    const bobsComment = await f.comment({ site, creator: bob, idea, created: late });
    await f.commentLike(bobsComment, alice);
    await f.commentLike(comment, bob);
    await f.vote({ creator: alice, idea: bobsIdea, created: early });
    await f.vote({ creator: bob, idea, created: late });
    await f.conversation({ site, creator: alice, created: late });
    await f.conversation({ site, creator: null, created: late });
    await f.communityManager(zeta, alice);
    await f.communityManager(alpha, alice);
    await f.communityMember(beta, alice);
    await f.communityMember(alpha, alice);
    await f.communityMember(zeta, bob);
    // Relations that are not activity: following, applying, being banned.
    await f.challengeFollower(await f.challenge({ site, creator: bob, created: early }), idle);
    await f.communityApplicant(alpha, idle);
    await f.communityBannedMember(beta, idle);

    // Another site's content never counts, even by this site's users.
    const foreignCommunity = await f.community({ site: other, creator: stranger, name: 'Foreign' });
    const foreignIdea = await f.idea({ site: other, creator: stranger });
    const foreignComment = await f.comment({ site: other, creator: stranger, idea: foreignIdea });
    await f.vote({ creator: alice, idea: foreignIdea });
    await f.commentLike(foreignComment, alice);
    await f.communityMember(foreignCommunity, alice);
    await f.communityManager(foreignCommunity, bob);
    await f.idea({ site: other, creator: idle });
  });

  it('lists every user of the site once, sorted by email, with activity exactly as defined', async () => {
    const users = await collect(new ActivityRepository(db.knex), site.id);
    expect(users.map((u) => u.email)).toEqual([
      'Alice@acme.example.com',
      'bob@acme.example.com',
      'idle@acme.example.com',
    ]);
    expect(users[0]).toMatchObject({
      userId: alice.id,
      firstName: 'Alice',
      challenges: 2,
      ideas: 1,
      comments: 2,
      commentLikes: 1,
      votes: 1,
      conversations: 1,
      communitiesCreated: 1,
      communitiesManaged: ['alpha', 'Zeta; team'],
      communitiesJoined: ['alpha', 'Beta'],
    });
    expect(users[1]).toMatchObject({
      userId: bob.id,
      lastName: '=HYPERLINK("x")',
      challenges: 1,
      ideas: 1,
      comments: 1,
      commentLikes: 1,
      votes: 1,
      conversations: 0,
      communitiesCreated: 2,
      communitiesManaged: [],
      communitiesJoined: ['Zeta; team'],
    });
    expect(users[2]).toMatchObject({ userId: idle.id, ...NO_ACTIVITY });
    expect(users[2].dateJoined).toEqual(new Date('2025-01-02T03:04:05Z'));
    expect(users[2].lastLogin).toEqual(new Date('2026-02-01T10:00:00Z'));
    expect(users.map((user) => isActive(user))).toEqual([true, true, false]);
    expect(users.map((user) => [user.accountActive, user.neverLoggedIn])).toEqual([
      [false, true],
      [true, true],
      [true, false],
    ]);
  });

  it('says whether the database works out its statements in this process: SQLite does, MariaDB does not', () => {
    expect(new ActivityRepository(db.knex).runsInProcess).toBe(db.dialect === 'sqlite');
  });

  it('never shows users of another site', async () => {
    const users = await collect(new ActivityRepository(db.knex), other.id);
    expect(users.map((u) => u.email)).toEqual(['stranger@other.example.org']);
    expect(users[0]).toMatchObject({ ideas: 1, comments: 1, communitiesCreated: 1 });
  });

  it('filters dated activity by created within [since, until) and keeps undated memberships and likes', async () => {
    const users = await collect(new ActivityRepository(db.knex), site.id, {
      since: new Date('2026-03-01T00:00:00Z'),
      until: new Date('2026-04-01T00:00:00Z'),
    });
    expect(users[0]).toMatchObject({
      challenges: 1,
      ideas: 1,
      comments: 1,
      commentLikes: 1,
      votes: 0,
      conversations: 1,
      communitiesCreated: 0,
      communitiesManaged: ['alpha', 'Zeta; team'],
      communitiesJoined: ['alpha', 'Beta'],
    });
    const before = await collect(new ActivityRepository(db.knex), site.id, { until: late });
    expect(before[0]).toMatchObject({
      challenges: 1,
      ideas: 0,
      comments: 1,
      votes: 1,
      conversations: 0,
      communitiesCreated: 1,
    });
    expect(before[1]).toMatchObject({
      challenges: 1,
      ideas: 1,
      comments: 0,
      votes: 0,
      communitiesCreated: 0,
    });
  });

  it('with a range, makes a user active only through dated activity inside it, never through likes or memberships', async () => {
    const range = { until: early };
    const users = await collect(new ActivityRepository(db.knex), site.id, range);
    // Alice and Bob have likes and memberships, but nothing dated before the 10th of January.
    expect(users[0]).toMatchObject({
      ...NO_ACTIVITY,
      commentLikes: 1,
      communitiesManaged: ['alpha', 'Zeta; team'],
      communitiesJoined: ['alpha', 'Beta'],
    });
    expect(users[1]).toMatchObject({ ...NO_ACTIVITY, commentLikes: 1, communitiesJoined: ['Zeta; team'] });
    expect(users.map((user) => isActive(user, range))).toEqual([false, false, false]);
    expect(users.map((user) => engagementLevel(user, range))).toEqual(['Idle', 'Idle', 'Idle']);
    // The same users without a range are active through those very likes and memberships.
    expect(users.map((user) => isActive(user))).toEqual([true, true, false]);
    expect(users.map((user) => engagementLevel(user))).toEqual(['Supporter', 'Supporter', 'Idle']);
  });

  it('counts the previous period [previousSince, since) and this one [since, until) at their exact edges', async () => {
    const f = db.factory;
    const edges = await f.site();
    const previousSince = new Date('2026-01-01T00:00:00Z');
    const since = new Date('2026-02-01T00:00:00Z');
    const until = new Date('2026-03-01T00:00:00Z');
    const ms = (date: Date, delta: number) => new Date(date.getTime() + delta);
    const before = await f.user({ site: edges, email: 'a-before@example.com' });
    const first = await f.user({ site: edges, email: 'b-first@example.com' });
    const last = await f.user({ site: edges, email: 'c-last@example.com' });
    const now = await f.user({ site: edges, email: 'd-now@example.com' });
    const after = await f.user({ site: edges, email: 'e-after@example.com' });
    const idea = await f.idea({ site: edges, creator: before, created: ms(previousSince, -1000) });
    // MariaDB's datetime(6) keeps microseconds, SQLite's text as many: a second apart is exact on both.
    await f.challenge({ site: edges, creator: first, created: previousSince });
    await f.comment({ site: edges, creator: last, idea, created: ms(since, -1000) });
    await f.vote({ creator: now, idea, created: since });
    await f.conversation({ site: edges, creator: after, created: until });
    const comment = await f.comment({ site: edges, creator: after, idea, created: until });
    await f.commentLike(comment, last);

    const repo = new ActivityRepository(db.knex);
    const users = await collect(repo, edges.id, { since, until }, previousSince);
    const then = (user: UserActivity) =>
      user.previous && Object.entries(user.previous).filter(([, n]) => n > 0);
    expect(users.map((user) => [user.email, then(user), user.votes, user.commentLikes])).toEqual([
      ['a-before@example.com', [], 0, 0],
      ['b-first@example.com', [['challenges', 1]], 0, 0],
      // Likes have no date: all time, never a period's.
      ['c-last@example.com', [['comments', 1]], 0, 1],
      ['d-now@example.com', [], 1, 0],
      ['e-after@example.com', [], 0, 0],
    ]);
    // Without a previous period there is none, and the counts are the same.
    const plain = await collect(repo, edges.id, { since, until });
    expect(plain.every((user) => user.previous === undefined)).toBe(true);
    expect(plain.map(({ previous: _previous, ...user }) => user)).toEqual(
      users.map(({ previous: _previous, ...user }) => user),
    );
    // Only a range with both ends has a previous period.
    await expect(collect(repo, edges.id, { since }, previousSince)).rejects.toThrow(RangeError);
  });

  it('reads one consistent snapshot: a user added while the export runs is not half-included', async () => {
    // A second connection commits a user after the snapshot's first read.
    const writer = createDatabase(db.url);
    try {
      const { result } = await new ActivityRepository(db.knex).inSnapshot(async (snapshot) => {
        await snapshot.findSiteAndUsers('acme.example.com', 'nobody@example.com');
        await new Factory(writer).user({ site, email: 'late@acme.example.com' });
        return collect(snapshot, site.id);
      });
      expect(result.map((u) => u.email)).not.toContain('late@acme.example.com');
      const after = await collect(new ActivityRepository(db.knex), site.id);
      expect(after.map((u) => u.email)).toContain('late@acme.example.com');
    } finally {
      await writer.destroy();
    }
  });

  it('keeps streaming to a reader slower than the idle bound: only the database being silent counts', async () => {
    // 600 users with an idea each: far more rows than the stream buffers, so the reader holds the query back.
    const big = await db.factory.site({ domain: 'slow-reader.example.com' });
    await db.knex.transaction(async (trx) => {
      const factory = new Factory(trx);
      for (let i = 0; i < 600; i += 1)
        await factory.idea({ site: big, creator: await factory.user({ site: big }) });
    });
    const impatient = createDatabase(db.url, { timeouts: { idleMs: 150 } });
    try {
      let read = 0;
      await new ActivityRepository(impatient).inSnapshot(async (snapshot) => {
        for await (const _user of snapshot.streamActivity(big.id)) {
          read += 1;
          // The workbook writer holding rows back, as on a slow disk.
          if (read % 150 === 0) await new Promise((resolve) => setTimeout(resolve, 400));
        }
      });
      expect(read).toBe(600);
    } finally {
      await impatient.destroy();
    }
  });

  it('finds the site and the users with an address, trimmed and case-insensitively, in one query', async () => {
    const repo = new ActivityRepository(db.knex);
    const found = await repo.findSiteAndUsers(' ACME.example.com ', '  alice@ACME.EXAMPLE.COM ');
    expect(found?.site).toEqual({ id: site.id, domain: 'acme.example.com', name: 'Acme' });
    expect(found?.users).toEqual([
      { id: alice.id, email: 'Alice@acme.example.com', isManager: false, isActive: false },
    ]);
    expect(await repo.findSiteAndUsers('missing.example.com', 'alice@acme.example.com')).toBeNull();
    expect((await repo.findSiteAndUsers('acme.example.com', 'stranger@other.example.org'))?.users).toEqual(
      [],
    );
  });
});

describe('activity statement on SQLite', () => {
  it('copies no count into a temporary table: its memory does not grow with the site', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const f = db.factory;
      const site = await f.site({ domain: 'plan.example.com' });
      const user = await f.user({ site });
      await f.idea({ site, creator: user });
      const statements: Array<{ sql: string; bindings: unknown[] }> = [];
      const listen = (query: { sql: string; bindings: unknown[] }) => statements.push(query);
      db.knex.on('query', listen);
      try {
        await collect(new ActivityRepository(db.knex), site.id, { since: new Date('2020-01-01T00:00:00Z') });
      } finally {
        db.knex.off('query', listen);
      }
      const [activity] = statements.filter(({ sql }) => /ORDER BY sort_email/.test(sql));
      const plan: Array<{ detail: string }> = await db.knex.raw(
        `EXPLAIN QUERY PLAN ${activity.sql}`,
        activity.bindings as Knex.RawBinding[],
      );
      const steps = plan.map(({ detail }) => detail);
      // SQLite copies a subquery it cannot read as it goes ("MATERIALIZE"),
      // and indexes a copy to join it ("AUTOMATIC ... INDEX"): each such copy
      // holds up to 16 MB in memory, whatever the connection's cache size.
      expect(steps.filter((step) => /MATERIALIZE|AUTOMATIC/.test(step))).toEqual([]);
      expect(steps).toContain('CO-ROUTINE a');
    } finally {
      await db.drop();
    }
  });
});
