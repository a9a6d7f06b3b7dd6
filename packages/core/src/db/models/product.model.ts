import { Model, QueryBuilder, snakeCaseMappers, type ColumnNameMappers, type Pojo } from 'objection';
import { toDate } from '../connection';

/**
 * Rejects with the driver's own error, as knex does: objection would wrap it
 * (db-errors) and hide the code that unique-violation, contention and
 * database-error mapping read.
 */
class DriverErrorQueryBuilder<M extends Model, R = M[]> extends QueryBuilder<M, R> {
  static override forClass: typeof QueryBuilder.forClass = (modelClass) =>
    super.forClass(modelClass).onError((error: Error & { nativeError?: unknown }) => {
      throw error.nativeError ?? error;
    });
}

/**
 * Base of the models of the product's own tables. Never bound to a global
 * knex: query with `Model.query(db)`, `db` being the knex or transaction in hand.
 *
 * Columns are snake_case, properties camelCase. A value reads back the same
 * from both drivers: listed dates as Dates (mysql2 gives Dates, SQLite
 * Django's text), listed numbers as numbers (mysql2 may give BIGINT as text),
 * listed booleans as booleans.
 */
export abstract class ProductModel extends Model {
  static override QueryBuilder = DriverErrorQueryBuilder;
  static override columnNameMappers: ColumnNameMappers = snakeCaseMappers();
  // `first()` alone would fetch every matching row and keep one.
  static override useLimitInFirst = true;
  /** Properties read back as Dates, or null for no real instant. */
  static dateAttributes: readonly string[] = [];
  /** Properties read back as numbers. */
  static numberAttributes: readonly string[] = ['id'];
  /** Properties read back as booleans (SQLite and MySQL's TINYINT give 0 or 1). */
  static booleanAttributes: readonly string[] = [];

  override $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json);
    const model = this.constructor as typeof ProductModel;
    for (const name of model.numberAttributes) {
      if (parsed[name] !== null && parsed[name] !== undefined) parsed[name] = Number(parsed[name]);
    }
    for (const name of model.booleanAttributes) {
      if (parsed[name] !== null && parsed[name] !== undefined) parsed[name] = Boolean(Number(parsed[name]));
    }
    for (const name of model.dateAttributes) {
      if (name in parsed) parsed[name] = toDate(parsed[name]);
    }
    return parsed;
  }
}

/**
 * snake_case columns as camelCase properties, except `renamed` properties
 * (property: column), for a column whose name says more than the property needs.
 */
export function columnsRenaming(renamed: Record<string, string>): ColumnNameMappers {
  const snake = snakeCaseMappers();
  const rename = (json: Pojo, names: Array<[string, string]>): Pojo => {
    for (const [from, to] of names) {
      if (from in json) {
        json[to] = json[from];
        delete json[from];
      }
    }
    return json;
  };
  const toColumn = Object.entries(renamed);
  const toProperty = toColumn.map(([property, column]): [string, string] => [column, property]);
  return {
    parse: (json) => snake.parse(rename({ ...json }, toProperty)),
    format: (json) => rename(snake.format(json), toColumn),
  };
}
