import type { Knex } from 'knex';
import { BulkWriter, type SqlValue } from './bulk-writer';
import { Random } from './seed.random';
import { SPOTLIGHT_TABLES, type SpotlightTable } from '../db/migrations/spotlight/0001-spotlight-schema';

/** Spotlight's tables the generator fills, in an order that satisfies every foreign key. */
export const SEEDED_TABLES = SPOTLIGHT_TABLES;

export type SeededTable = SpotlightTable;

/** Hands out explicit ids, so that no row needs a round trip to learn its own. */
export class IdAllocator {
  private constructor(private readonly next: Map<SeededTable, number>) {}

  static async start(db: Knex): Promise<IdAllocator> {
    const next = new Map<SeededTable, number>();
    for (const table of SEEDED_TABLES) {
      const row = (await db(table).max({ max: 'id' }).first()) as { max: number | string | null } | undefined;
      next.set(table, Number(row?.max ?? 0) + 1);
    }
    return new IdAllocator(next);
  }

  /** The first of `count` consecutive new ids of `table`. */
  take(table: SeededTable, count: number): number {
    const first = this.next.get(table)!;
    this.next.set(table, first + count);
    return first;
  }
}

export interface SiteSpec {
  domain: string;
  name: string;
  users: number;
  managerEmail: string;
  seed: number;
  /** A user (not a manager) of this site gets this address too: addresses are not unique across sites. */
  sharedEmail?: string;
}

/** Where a generated site's rows are: consecutive ids from `first`. */
export interface SiteRows {
  siteId: number;
  users: { first: number; count: number };
  communities: { first: number; count: number };
  ideas: { first: number; count: number };
  comments: { first: number; count: number };
  /** Rows that count as activity in the export's sense (schema doc, kinds 1-9). */
  activityRows: number;
}

// Average rows per user of each kind; a customer of N users gets about 30 N
// activity rows, spread over users by a power law.
const RATES = {
  challenges: 0.3,
  ideas: 3,
  comments: 6,
  likes: 7,
  votes: 10,
  conversations: 0.5,
  communities: 0.02,
  memberships: 2.5,
} as const;
type Kind = keyof typeof RATES;
const KINDS = Object.keys(RATES) as Kind[];

const IDLE_SHARE = 0.4;
const PARETO_ALPHA = 1.16;
const MAX_WEIGHT = 2000;
const DELETED_SHARE = 0.03;

const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloé',
  'Dev',
  'Eva',
  'Femi',
  'Grace',
  'Hiro',
  'Ines',
  'Jon',
  'Kai',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tao',
  'Uma',
  'Vik',
  'Wen',
  'Yara',
  'Zoë',
];
const LAST_NAMES = [
  'Adams',
  'Bauer',
  'Chen',
  'Diaz',
  'Eriksen',
  'Fischer',
  'García',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  "O'Brien",
  'Müller',
  'Nguyen',
  'Okafor',
  'Patel',
  'Rossi',
  'Smith',
  'Tanaka',
  'Usman',
  'Varga',
  'Wright',
  'Young',
  'Zhang',
];
const TOPICS = [
  'Green Energy',
  'Remote Work',
  'Customer Care',
  'Data Science',
  'Wellbeing',
  'Supply Chain',
  'Onboarding',
  'Open Source',
  'Design',
  'Safety',
  'Finance',
  'Hardware',
  'Mobile',
  'Sales Ops',
  'Learning',
];
// Names a spreadsheet could mistake for formulas: the export must keep them text.
const TRICKY_COMMUNITY_NAMES = ['=SUM(A1:A2) fans', '+1 club', '@mentions', '-minus crew'];
const IDEA_STATUSES = ['Concept', 'In Review', 'Approved', 'Completed'];
const COMMUNITY_TYPES = ['Open', 'By Request', 'Invite Only'];

const EPOCH = Date.UTC(2022, 0, 1);
const SPAN = Date.UTC(2026, 5, 1) - EPOCH;

const COLUMNS: Record<SeededTable, readonly string[]> = {
  django_site: ['id', 'domain', 'name'],
  central_user: [
    'id',
    'password',
    'last_login',
    'is_active',
    'is_staff',
    'is_siteadmin',
    'is_contributor',
    'is_limited_contributor',
    'is_manager',
    'is_student',
    'is_advisor',
    'username',
    'email',
    'first_name',
    'last_name',
    'date_joined',
    'display_name',
    'site_id',
  ],
  central_community: [
    'id',
    'created',
    'modified',
    'site_id',
    'creator_id',
    'name',
    'is_deleted',
    'description',
    'is_external',
    'status',
    'type',
    'primary_media_url',
  ],
  central_community_managers: ['id', 'community_id', 'user_id'],
  central_community_members: ['id', 'community_id', 'user_id'],
  central_community_applicants: ['id', 'community_id', 'user_id'],
  central_community_banned_members: ['id', 'community_id', 'user_id'],
  central_challenge: [
    'id',
    'created',
    'modified',
    'site_id',
    'creator_id',
    'community_id',
    'name',
    'is_deleted',
    'description',
    'is_private',
    'is_parallel',
    'has_stats',
    'is_team_enabled',
    'send_idea_submitted_email',
    'idea_submitted_email_content',
    'image_url',
    'is_spotlight_share_enabled',
    'is_yammer_share_enabled',
  ],
  central_challenge_followers: ['id', 'challenge_id', 'user_id'],
  central_idea: [
    'id',
    'created',
    'modified',
    'site_id',
    'creator_id',
    'challenge_id',
    'name',
    'is_deleted',
    'status',
    'summary',
    'image_url',
    'score',
    'is_progressing',
    'is_draft',
    'popularity',
    'num_upvotes',
    'num_downvotes',
    'num_visits',
    'num_comments',
  ],
  central_ideavote: ['id', 'created', 'modified', 'creator_id', 'idea_id', 'is_upvote'],
  central_conversation: [
    'id',
    'created',
    'modified',
    'site_id',
    'creator_id',
    'community_id',
    'name',
    'is_deleted',
    'question',
    'status',
    'image_url',
    'start_datetime',
    'close_datetime',
    'share_message',
  ],
  central_conversation_followers: ['id', 'conversation_id', 'user_id'],
  central_ideacomment: [
    'id',
    'created',
    'modified',
    'site_id',
    'creator_id',
    'response_to_id',
    'parent_id',
    'is_deleted',
    'comment',
    'edited_datetime',
    'is_advisor_comment',
  ],
  central_ideacomment_liked_by: ['id', 'ideacomment_id', 'user_id'],
};

/** Writes rows of one table with ids from the allocator. */
class TableLoad {
  private readonly writer: BulkWriter;
  private nextId = 0;

  constructor(
    db: Knex,
    private readonly ids: IdAllocator,
    readonly table: SeededTable,
  ) {
    this.writer = new BulkWriter(db, table, COLUMNS[table]);
  }

  /** Reserves ids for rows whose number is known up front. */
  reserve(count: number): number {
    this.nextId = this.ids.take(this.table, count);
    return this.nextId;
  }

  /** Adds a row with the next reserved id, or a freshly taken one. */
  async add(values: readonly SqlValue[]): Promise<number> {
    const id = this.nextId > 0 ? this.nextId++ : this.ids.take(this.table, 1);
    await this.writer.add([id, ...values]);
    return id;
  }

  async end(): Promise<number> {
    await this.writer.end();
    return this.writer.written;
  }
}

export interface SiteContext {
  db: Knex;
  ids: IdAllocator;
  progress: (message: string) => void;
}

function stamp(rng: Random): Date {
  return new Date(EPOCH + Math.floor(rng.next() * SPAN));
}

/**
 * One customer: users whose activity follows a power law (many idle, most
 * light, a few very heavy), every kind of content and membership, and some
 * rows that must not count (followers, applicants, conversations nobody owns).
 */
export async function generateSite(ctx: SiteContext, spec: SiteSpec): Promise<SiteRows> {
  const { db, ids, progress } = ctx;
  const rng = new Random(spec.seed);
  const n = spec.users;
  const load = (table: SeededTable) => new TableLoad(db, ids, table);
  let activityRows = 0;

  const site = load('django_site');
  const siteId = await site.add([spec.domain, spec.name]);
  await site.end();

  // How much each user does: a weight, zero for the idle; then each kind's
  // count is that user's share of the site's total for the kind.
  const weights = new Float64Array(n);
  let total = 0;
  for (let u = 0; u < n; u += 1) {
    weights[u] = u === 0 ? 2 : rng.chance(IDLE_SHARE) ? 0 : Math.min(rng.pareto(PARETO_ALPHA), MAX_WEIGHT);
    total += weights[u];
  }
  const counts = {} as Record<Kind, Int32Array>;
  for (const kind of KINDS) {
    const perWeight = (RATES[kind] * n) / total;
    counts[kind] = new Int32Array(n);
    for (let u = 0; u < n; u += 1) counts[kind][u] = rng.round(weights[u] * perWeight);
    // The manager does a bit of everything, so every kind exists on any site.
    counts[kind][0] = Math.max(counts[kind][0], 1);
  }
  const sum = (kind: Kind) => counts[kind].reduce((a, b) => a + b, 0);
  const cumulative = new Float64Array(n);
  for (let u = 0, acc = 0; u < n; u += 1) cumulative[u] = acc += weights[u];
  /** A user picked in proportion to how active they are. */
  const activeUser = (): number => {
    const target = rng.next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  // Users.
  const users = load('central_user');
  const firstUser = users.reserve(n);
  for (let u = 0; u < n; u += 1) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const local = `${first}.${last}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z.]/g, '');
    let email = `${local}${u}@${spec.domain}`;
    if (u === 0) email = spec.managerEmail;
    else if (u === 2 && spec.sharedEmail) email = spec.sharedEmail;
    else if (u % 53 === 0) email = email[0].toUpperCase() + email.slice(1);
    const joined = stamp(rng);
    const lastLogin = rng.chance(0.25)
      ? null
      : new Date(joined.getTime() + rng.int(EPOCH + SPAN - joined.getTime()));
    // User 1 is a manager whose account was closed: listed, but never a recipient.
    const isManager = u === 0 || u === 1 || rng.chance(0.003);
    const isActive = u === 0 || (u !== 1 && !rng.chance(0.06));
    await users.add([
      '!',
      lastLogin,
      isActive,
      false,
      u === 0,
      !rng.chance(0.1),
      rng.chance(0.05),
      isManager,
      rng.chance(0.02),
      rng.chance(0.02),
      rng.chance(0.1) ? null : email.toLowerCase(),
      email,
      first,
      last,
      joined,
      `${first} ${last}`.slice(0, 50),
      siteId,
    ]);
  }
  await users.end();
  progress(`${spec.domain}: ${n} users`);
  const userId = (u: number) => firstUser + u;

  // Communities, their managers (the creator and a few others), members,
  // applicants and banned members.
  const communityCount = sum('communities');
  const communities = load('central_community');
  const firstCommunity = communities.reserve(communityCount);
  let c = 0;
  for (let u = 0; u < n; u += 1) {
    for (let k = 0; k < counts.communities[u]; k += 1, c += 1) {
      const created = stamp(rng);
      const deleted = rng.chance(DELETED_SHARE);
      const tricky = c % 10 === 1 ? TRICKY_COMMUNITY_NAMES[(c - 1) / 10] : undefined;
      const name = tricky ?? `${rng.pick(TOPICS)} ${c + 1}`;
      await communities.add([
        created,
        created,
        siteId,
        userId(u),
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

  const managers = load('central_community_managers');
  c = 0;
  for (let u = 0; u < n; u += 1) {
    for (let k = 0; k < counts.communities[u]; k += 1, c += 1) {
      const chosen = new Set([u]);
      for (let extra = rng.chance(0.5) ? rng.between(1, 2) : 0; extra > 0; extra -= 1)
        chosen.add(activeUser());
      for (const manager of chosen) await managers.add([firstCommunity + c, userId(manager)]);
    }
  }
  activityRows += await managers.end();

  const members = load('central_community_members');
  for (let u = 0; u < n; u += 1) {
    for (const community of rng.distinct(counts.memberships[u], communityCount)) {
      await members.add([firstCommunity + community, userId(u)]);
    }
  }
  activityRows += await members.end();

  for (const [table, share] of [
    ['central_community_applicants', 0.01],
    ['central_community_banned_members', 0.002],
  ] as const) {
    const rows = load(table);
    const seen = new Set<number>();
    for (let k = Math.ceil(n * share); k > 0; k -= 1) {
      const community = rng.int(communityCount);
      const user = rng.int(n);
      if (seen.has(community * n + user)) continue;
      seen.add(community * n + user);
      await rows.add([firstCommunity + community, userId(user)]);
    }
    await rows.end();
  }
  progress(`${spec.domain}: ${communityCount} communities`);

  // Challenges and their followers.
  const challengeCount = sum('challenges');
  const challenges = load('central_challenge');
  const firstChallenge = challenges.reserve(challengeCount);
  for (let u = 0; u < n; u += 1) {
    for (let k = 0; k < counts.challenges[u]; k += 1) {
      const created = stamp(rng);
      await challenges.add([
        created,
        created,
        siteId,
        userId(u),
        rng.chance(0.5) ? firstCommunity + rng.int(communityCount) : null,
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
  activityRows += await challenges.end();
  const followers = load('central_challenge_followers');
  for (let ch = 0; ch < challengeCount; ch += 1) {
    for (const user of new Set(Array.from({ length: rng.int(4) }, activeUser))) {
      await followers.add([firstChallenge + ch, userId(user)]);
    }
  }
  await followers.end();

  // Ideas, then the votes on them.
  const ideaCount = sum('ideas');
  const ideas = load('central_idea');
  const firstIdea = ideas.reserve(ideaCount);
  for (let u = 0; u < n; u += 1) {
    for (let k = 0; k < counts.ideas[u]; k += 1) {
      const created = stamp(rng);
      await ideas.add([
        created,
        created,
        siteId,
        userId(u),
        challengeCount > 0 && rng.chance(0.7) ? firstChallenge + rng.skewed(challengeCount) : null,
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
  activityRows += await ideas.end();
  progress(`${spec.domain}: ${ideaCount} ideas`);

  const votes = load('central_ideavote');
  for (let u = 0; u < n; u += 1) {
    for (const idea of rng.distinct(counts.votes[u], ideaCount)) {
      const created = stamp(rng);
      await votes.add([created, created, userId(u), firstIdea + idea, rng.chance(0.85)]);
    }
  }
  activityRows += await votes.end();
  progress(`${spec.domain}: votes`);

  // Conversations; a few have no creator (the account was removed) and count for nobody.
  const conversations = load('central_conversation');
  const conversationIds: number[] = [];
  for (let u = 0; u < n; u += 1) {
    for (let k = 0; k < counts.conversations[u]; k += 1) {
      const creator = rng.chance(0.05) && u !== 0 ? null : userId(u);
      if (creator !== null) activityRows += 1;
      const created = stamp(rng);
      conversationIds.push(
        await conversations.add([
          created,
          created,
          siteId,
          creator,
          rng.chance(0.4) ? firstCommunity + rng.int(communityCount) : null,
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
  const conversationFollowers = load('central_conversation_followers');
  for (const conversation of conversationIds) {
    for (const user of new Set(Array.from({ length: rng.int(3) }, activeUser))) {
      await conversationFollowers.add([conversation, userId(user)]);
    }
  }
  await conversationFollowers.end();

  // Comments (some answer an earlier comment on the same idea), then likes.
  const commentCount = sum('comments');
  const comments = load('central_ideacomment');
  const firstComment = comments.reserve(commentCount);
  const lastCommentOn = new Int32Array(ideaCount);
  for (let u = 0, id = firstComment; u < n; u += 1) {
    for (let k = 0; k < counts.comments[u]; k += 1, id += 1) {
      const idea = rng.skewed(ideaCount);
      const parent = lastCommentOn[idea] > 0 && rng.chance(0.3) ? lastCommentOn[idea] : null;
      lastCommentOn[idea] = id;
      const created = stamp(rng);
      await comments.add([
        created,
        created,
        siteId,
        userId(u),
        firstIdea + idea,
        parent,
        rng.chance(DELETED_SHARE),
        `I like this, ${u}-${k}`,
        rng.chance(0.1) ? created : null,
        rng.chance(0.02),
      ]);
    }
  }
  activityRows += await comments.end();
  progress(`${spec.domain}: ${commentCount} comments`);

  const likes = load('central_ideacomment_liked_by');
  for (let u = 0; u < n; u += 1) {
    for (const comment of rng.distinct(counts.likes[u], commentCount))
      await likes.add([firstComment + comment, userId(u)]);
  }
  activityRows += await likes.end();
  progress(`${spec.domain}: likes`);

  return {
    siteId,
    users: { first: firstUser, count: n },
    communities: { first: firstCommunity, count: communityCount },
    ideas: { first: firstIdea, count: ideaCount },
    comments: { first: firstComment, count: commentCount },
    activityRows,
  };
}

/**
 * Rows that cross sites and must never count: users of one site voting,
 * liking and joining on the other. Returns how many rows it wrote.
 */
export async function crossSiteNoise(
  ctx: SiteContext,
  a: SiteRows,
  b: SiteRows,
  seed: number,
): Promise<number> {
  const rng = new Random(seed);
  const tables = {
    votes: new TableLoad(ctx.db, ctx.ids, 'central_ideavote'),
    members: new TableLoad(ctx.db, ctx.ids, 'central_community_members'),
    likes: new TableLoad(ctx.db, ctx.ids, 'central_ideacomment_liked_by'),
  };
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    for (let k = 0; k < Math.min(20, from.users.count); k += 1) {
      const user = from.users.first + k;
      const created = stamp(rng);
      for (const idea of rng.distinct(2, to.ideas.count)) {
        await tables.votes.add([created, created, user, to.ideas.first + idea, true]);
      }
      for (const community of rng.distinct(1, to.communities.count)) {
        await tables.members.add([to.communities.first + community, user]);
      }
      for (const comment of rng.distinct(1, to.comments.count)) {
        await tables.likes.add([to.comments.first + comment, user]);
      }
    }
  }
  let written = 0;
  for (const table of Object.values(tables)) written += await table.end();
  return written;
}
