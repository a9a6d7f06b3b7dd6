/**
 * Spotlight's tables (the customer's Django schema, see the spotlight schema
 * migration) and their columns, named once: the migration, the activity SQL,
 * the models, the data generator and the test factories use these.
 */
export const SPOTLIGHT_TABLE = {
  site: 'django_site',
  user: 'central_user',
  community: 'central_community',
  communityManagers: 'central_community_managers',
  communityMembers: 'central_community_members',
  communityApplicants: 'central_community_applicants',
  communityBannedMembers: 'central_community_banned_members',
  challenge: 'central_challenge',
  challengeFollowers: 'central_challenge_followers',
  idea: 'central_idea',
  ideaVote: 'central_ideavote',
  conversation: 'central_conversation',
  conversationFollowers: 'central_conversation_followers',
  comment: 'central_ideacomment',
  commentLikes: 'central_ideacomment_liked_by',
} as const;

const T = SPOTLIGHT_TABLE;

/** Every Spotlight table, in an order that satisfies every foreign key. */
export const SPOTLIGHT_TABLES = [
  T.site,
  T.user,
  T.community,
  T.communityManagers,
  T.communityMembers,
  T.communityApplicants,
  T.communityBannedMembers,
  T.challenge,
  T.challengeFollowers,
  T.idea,
  T.ideaVote,
  T.conversation,
  T.conversationFollowers,
  T.comment,
  T.commentLikes,
] as const;

export type SpotlightTable = (typeof SPOTLIGHT_TABLES)[number];

/** central_user's boolean flags, in column order. */
export const USER_FLAGS = [
  'is_active',
  'is_staff',
  'is_siteadmin',
  'is_contributor',
  'is_limited_contributor',
  'is_manager',
  'is_student',
  'is_advisor',
] as const;

/** central_challenge's boolean flags between `description` and `idea_submitted_email_content`. */
export const CHALLENGE_FLAGS = [
  'is_private',
  'is_parallel',
  'has_stats',
  'is_team_enabled',
  'send_idea_submitted_email',
] as const;

/** central_idea's unsigned counters, its last columns. */
export const IDEA_COUNTERS = ['num_upvotes', 'num_downvotes', 'num_visits', 'num_comments'] as const;

/** The many-to-many relations of a community to users (community_id, user_id), each its own table. */
export const COMMUNITY_USER_TABLES = [
  T.communityManagers,
  T.communityMembers,
  T.communityApplicants,
  T.communityBannedMembers,
] as const;

const STAMPED = ['id', 'created', 'modified', 'site_id', 'creator_id'] as const;

/** A join table's columns: its id, the model's id, the user's. */
const joinColumns = (modelColumn: string) => ['id', modelColumn, 'user_id'] as const;

/** Every column of every Spotlight table, `id` first, in the order the migration creates them. */
export const SPOTLIGHT_COLUMNS: Readonly<Record<SpotlightTable, readonly string[]>> = {
  [T.site]: ['id', 'domain', 'name'],
  [T.user]: [
    'id',
    'password',
    'last_login',
    ...USER_FLAGS,
    'username',
    'email',
    'first_name',
    'last_name',
    'date_joined',
    'display_name',
    'site_id',
  ],
  [T.community]: [
    ...STAMPED,
    'name',
    'is_deleted',
    'description',
    'is_external',
    'status',
    'type',
    'primary_media_url',
  ],
  [T.communityManagers]: joinColumns('community_id'),
  [T.communityMembers]: joinColumns('community_id'),
  [T.communityApplicants]: joinColumns('community_id'),
  [T.communityBannedMembers]: joinColumns('community_id'),
  [T.challenge]: [
    ...STAMPED,
    'community_id',
    'name',
    'is_deleted',
    'description',
    ...CHALLENGE_FLAGS,
    'idea_submitted_email_content',
    'image_url',
    'is_spotlight_share_enabled',
    'is_yammer_share_enabled',
  ],
  [T.challengeFollowers]: joinColumns('challenge_id'),
  [T.idea]: [
    ...STAMPED,
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
    ...IDEA_COUNTERS,
  ],
  [T.ideaVote]: ['id', 'created', 'modified', 'creator_id', 'idea_id', 'is_upvote'],
  [T.conversation]: [
    ...STAMPED,
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
  [T.conversationFollowers]: joinColumns('conversation_id'),
  [T.comment]: [
    ...STAMPED,
    'response_to_id',
    'parent_id',
    'is_deleted',
    'comment',
    'edited_datetime',
    'is_advisor_comment',
  ],
  [T.commentLikes]: joinColumns('ideacomment_id'),
};
