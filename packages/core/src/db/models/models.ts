import { Model } from 'objection';

/*
 * Objection models for the Spotlight tables the export reads. They are never
 * bound to a global knex: pass the knex or transaction to `Model.query(db)`.
 */

export class Site extends Model {
  static override tableName = 'django_site';
  id!: number;
  domain!: string;
  name!: string;
}

export class User extends Model {
  static override tableName = 'central_user';
  id!: number;
  email!: string;
  first_name!: string;
  last_name!: string;
  is_active!: boolean | number;
  is_manager!: boolean | number;
  date_joined!: Date | string;
  last_login!: Date | string | null;
  site_id!: number;

  static override get relationMappings() {
    return {
      site: {
        relation: Model.BelongsToOneRelation,
        modelClass: Site,
        join: { from: 'central_user.site_id', to: 'django_site.id' },
      },
    };
  }
}

abstract class Content extends Model {
  id!: number;
  created!: Date | string;
  modified!: Date | string;
}

export class Community extends Content {
  static override tableName = 'central_community';
  site_id!: number;
  creator_id!: number;
  name!: string;
  is_deleted!: boolean | number;

  static override get relationMappings() {
    const through = (table: string) => ({
      relation: Model.ManyToManyRelation,
      modelClass: User,
      join: {
        from: 'central_community.id',
        through: { from: `${table}.community_id`, to: `${table}.user_id` },
        to: 'central_user.id',
      },
    });
    return {
      managers: through('central_community_managers'),
      members: through('central_community_members'),
    };
  }
}

export class Challenge extends Content {
  static override tableName = 'central_challenge';
  site_id!: number;
  creator_id!: number;
  community_id!: number | null;
  name!: string;
}

export class Idea extends Content {
  static override tableName = 'central_idea';
  site_id!: number;
  creator_id!: number;
  challenge_id!: number | null;
  name!: string;
}

export class IdeaComment extends Content {
  static override tableName = 'central_ideacomment';
  site_id!: number;
  creator_id!: number;
  response_to_id!: number;
  parent_id!: number | null;

  static override get relationMappings() {
    return {
      likedBy: {
        relation: Model.ManyToManyRelation,
        modelClass: User,
        join: {
          from: 'central_ideacomment.id',
          through: {
            from: 'central_ideacomment_liked_by.ideacomment_id',
            to: 'central_ideacomment_liked_by.user_id',
          },
          to: 'central_user.id',
        },
      },
    };
  }
}

export class IdeaVote extends Content {
  static override tableName = 'central_ideavote';
  creator_id!: number;
  idea_id!: number;
  is_upvote!: boolean | number;
}

export class Conversation extends Content {
  static override tableName = 'central_conversation';
  site_id!: number;
  creator_id!: number | null;
  community_id!: number | null;
  name!: string;
}
