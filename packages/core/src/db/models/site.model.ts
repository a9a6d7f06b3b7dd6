import { Model } from 'objection';
import { SPOTLIGHT_TABLE } from './spotlight-tables';

/** Spotlight's django_site: one row per customer. Query with `Site.query(db)`. */
export class Site extends Model {
  static override tableName = SPOTLIGHT_TABLE.site;
  declare id: number;
  declare domain: string;
  declare name: string;
}
