import { Model } from 'objection';
import { Site } from './site.model';
import { SPOTLIGHT_TABLE } from './spotlight-tables';

/** Spotlight's central_user, with its site. Query with `User.query(db)`. */
export class User extends Model {
  static override tableName = SPOTLIGHT_TABLE.user;
  declare id: number;
  declare email: string;
  declare first_name: string;
  declare last_name: string;
  declare is_active: boolean | number;
  declare is_manager: boolean | number;
  declare date_joined: Date | string;
  declare last_login: Date | string | null;
  declare site_id: number;

  static override get relationMappings() {
    return {
      site: {
        relation: Model.BelongsToOneRelation,
        modelClass: Site,
        join: { from: `${SPOTLIGHT_TABLE.user}.site_id`, to: `${SPOTLIGHT_TABLE.site}.id` },
      },
    };
  }
}
