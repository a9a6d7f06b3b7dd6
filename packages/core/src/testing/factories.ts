import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { SPOTLIGHT_TABLE as T } from '../db/models/spotlight-tables';

export interface SiteRow {
  id: number;
  domain: string;
  name: string;
}

export interface UserRow {
  id: number;
  site_id: number;
  email: string;
  first_name: string;
  last_name: string;
  is_manager: boolean;
  is_active: boolean;
  date_joined: Date;
  last_login: Date | null;
}

export interface ContentRow {
  id: number;
  site_id: number;
  creator_id: number | null;
  name?: string;
  created: Date;
}

type Overrides = Record<string, unknown>;

// A run-unique prefix keeps values unique across files sharing a database.
const RUN = crypto.randomBytes(3).toString('hex');
let sequence = 0;
function unique(): string {
  sequence += 1;
  return `${RUN}${sequence}`;
}

/** Rows of Spotlight's tables with every NOT NULL column filled in; each call inserts and returns one row. */
export class Factory {
  /** When content is created unless told otherwise. */
  now = new Date('2026-06-15T12:00:00.000Z');

  constructor(private readonly knex: Knex) {}

  private async insert<T extends { id: number }>(table: string, row: Overrides): Promise<T> {
    const [id] = await this.knex(table).insert(row);
    return { ...row, id: Number(id) } as unknown as T;
  }

  private stamps(overrides: Overrides): Overrides {
    const created = (overrides.created as Date | undefined) ?? this.now;
    return { created, modified: created };
  }

  site(overrides: Partial<SiteRow> = {}): Promise<SiteRow> {
    const id = unique();
    return this.insert(T.site, { domain: `site-${id}.example.com`, name: `Site ${id}`, ...overrides });
  }

  user(options: { site: SiteRow } & Partial<UserRow> & Overrides): Promise<UserRow> {
    const { site, ...overrides } = options;
    const id = unique();
    return this.insert(T.user, {
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
      username: `user${id}`,
      email: `user${id}@example.com`,
      first_name: 'Test',
      last_name: `User ${id}`,
      date_joined: new Date('2025-01-02T03:04:05.000Z'),
      display_name: `User ${id}`,
      site_id: site.id,
      ...overrides,
    });
  }

  manager(options: { site: SiteRow } & Partial<UserRow> & Overrides): Promise<UserRow> {
    return this.user({ is_manager: true, ...options });
  }

  community(options: { site: SiteRow; creator: UserRow } & Overrides): Promise<ContentRow> {
    const { site, creator, ...overrides } = options;
    return this.insert(T.community, {
      ...this.stamps(overrides),
      site_id: site.id,
      creator_id: creator.id,
      name: `Community ${unique()}`,
      is_deleted: false,
      description: '',
      is_external: false,
      status: 'Active',
      type: 'Open',
      primary_media_url: null,
      ...overrides,
    });
  }

  private async join(table: string, column: string, ownerId: number, user: UserRow): Promise<{ id: number }> {
    return this.insert(table, { [column]: ownerId, user_id: user.id });
  }

  communityManager(community: ContentRow, user: UserRow) {
    return this.join(T.communityManagers, 'community_id', community.id, user);
  }

  communityMember(community: ContentRow, user: UserRow) {
    return this.join(T.communityMembers, 'community_id', community.id, user);
  }

  communityApplicant(community: ContentRow, user: UserRow) {
    return this.join(T.communityApplicants, 'community_id', community.id, user);
  }

  communityBannedMember(community: ContentRow, user: UserRow) {
    return this.join(T.communityBannedMembers, 'community_id', community.id, user);
  }

  challenge(
    options: { site: SiteRow; creator: UserRow; community?: ContentRow } & Overrides,
  ): Promise<ContentRow> {
    const { site, creator, community, ...overrides } = options;
    return this.insert(T.challenge, {
      ...this.stamps(overrides),
      site_id: site.id,
      creator_id: creator.id,
      community_id: community?.id ?? null,
      name: `Challenge ${unique()}`,
      is_deleted: false,
      description: '',
      is_private: false,
      is_parallel: false,
      has_stats: false,
      is_team_enabled: false,
      send_idea_submitted_email: false,
      idea_submitted_email_content: null,
      image_url: null,
      is_spotlight_share_enabled: false,
      is_yammer_share_enabled: false,
      ...overrides,
    });
  }

  challengeFollower(challenge: ContentRow, user: UserRow) {
    return this.join(T.challengeFollowers, 'challenge_id', challenge.id, user);
  }

  idea(
    options: { site: SiteRow; creator: UserRow; challenge?: ContentRow } & Overrides,
  ): Promise<ContentRow> {
    const { site, creator, challenge, ...overrides } = options;
    return this.insert(T.idea, {
      ...this.stamps(overrides),
      site_id: site.id,
      creator_id: creator.id,
      challenge_id: challenge?.id ?? null,
      name: `Idea ${unique()}`,
      is_deleted: false,
      status: 'Concept',
      summary: '',
      image_url: null,
      score: 0,
      is_progressing: false,
      is_draft: false,
      popularity: 0,
      num_upvotes: 0,
      num_downvotes: 0,
      num_visits: 0,
      num_comments: 0,
      ...overrides,
    });
  }

  comment(
    options: { site: SiteRow; creator: UserRow; idea: ContentRow; parent?: ContentRow } & Overrides,
  ): Promise<ContentRow> {
    const { site, creator, idea, parent, ...overrides } = options;
    return this.insert(T.comment, {
      ...this.stamps(overrides),
      site_id: site.id,
      creator_id: creator.id,
      response_to_id: idea.id,
      parent_id: parent?.id ?? null,
      is_deleted: false,
      comment: `Comment ${unique()}`,
      edited_datetime: null,
      is_advisor_comment: false,
      ...overrides,
    });
  }

  commentLike(comment: ContentRow, user: UserRow) {
    return this.join(T.commentLikes, 'ideacomment_id', comment.id, user);
  }

  vote(options: { creator: UserRow; idea: ContentRow } & Overrides): Promise<{ id: number; created: Date }> {
    const { creator, idea, ...overrides } = options;
    return this.insert(T.ideaVote, {
      ...this.stamps(overrides),
      creator_id: creator.id,
      idea_id: idea.id,
      is_upvote: true,
      ...overrides,
    });
  }

  conversation(
    options: { site: SiteRow; creator: UserRow | null; community?: ContentRow } & Overrides,
  ): Promise<ContentRow> {
    const { site, creator, community, ...overrides } = options;
    return this.insert(T.conversation, {
      ...this.stamps(overrides),
      site_id: site.id,
      creator_id: creator?.id ?? null,
      community_id: community?.id ?? null,
      name: `Conversation ${unique()}`,
      is_deleted: false,
      question: '',
      status: 'Open',
      image_url: null,
      start_datetime: null,
      close_datetime: null,
      share_message: '',
      ...overrides,
    });
  }

  conversationFollower(conversation: ContentRow, user: UserRow) {
    return this.join(T.conversationFollowers, 'conversation_id', conversation.id, user);
  }
}
