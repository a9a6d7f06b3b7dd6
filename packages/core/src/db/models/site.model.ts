import { Model } from 'objection';

/** Spotlight's django_site: one row per customer. Query with `Site.query(db)`. */
export class Site extends Model {
  static override tableName = 'django_site';
  declare id: number;
  declare domain: string;
  declare name: string;
}
