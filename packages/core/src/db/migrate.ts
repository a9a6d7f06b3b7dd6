import type { Knex } from 'knex';
import { ConfigurationError } from '../errors';
import { dialectOf } from './connection';
import { SPOTLIGHT_TABLE } from './models/spotlight-tables';
import { spotlightMigrations } from './migrations/spotlight';
import { productMigrations } from './migrations/product';

/** Where each migration set records what it has run. */
export const SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE = 'spotlight_exports_schema_migrations';
export const PRODUCT_MIGRATIONS_TABLE = 'spotlight_exports_migrations';

class InMemoryMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly migrations: Record<string, Knex.Migration>) {}
  async getMigrations(): Promise<string[]> {
    return Object.keys(this.migrations).sort();
  }
  getMigrationName(name: string): string {
    return name;
  }
  async getMigration(name: string): Promise<Knex.Migration> {
    return this.migrations[name];
  }
}

export type SpotlightSchemaMode = 'auto' | 'always' | 'never';

export interface MigrationReport {
  /** Whether Spotlight's own tables were created or already managed by this product. */
  spotlightSchema: 'migrated' | 'skipped-existing' | 'skipped';
  ran: string[];
}

/**
 * A database that has tables, none of them Spotlight's: most likely a
 * DATABASE_URL pointing at another application's database, which must not get
 * Spotlight's tables by mistake.
 */
export class ForeignDatabaseError extends ConfigurationError {
  constructor(
    readonly target: string,
    readonly tables: string[],
  ) {
    const shown = tables.length > 3 ? `${tables.slice(0, 3).join(', ')}, ...` : tables.join(', ');
    super(
      `The database at ${target} has other tables (${shown}) but not Spotlight's django_site, so DATABASE_URL may point at another application's database; check it, or run "spotlight db migrate --spotlight-schema always" to create Spotlight's tables there anyway.`,
    );
  }
}

/**
 * Brings the database up to date. With `spotlightSchema: 'auto'` (the default),
 * Spotlight's Django tables are created only when this product created them
 * before or when the database is empty: a production Spotlight database,
 * whose tables Django owns, only gets the product's own migration set, and a
 * database of another application is refused ({@link ForeignDatabaseError}).
 * `target` names the database in messages (a URL with its password masked).
 */
export async function migrateLatest(
  db: Knex,
  options: { spotlightSchema?: SpotlightSchemaMode; target?: string } = {},
): Promise<MigrationReport> {
  const mode = options.spotlightSchema ?? 'auto';
  const ran: string[] = [];
  let spotlightSchema: MigrationReport['spotlightSchema'] = 'skipped';
  if (mode !== 'never') {
    const ownedByDjango =
      (await db.schema.hasTable(SPOTLIGHT_TABLE.site)) &&
      !(await db.schema.hasTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE));
    if (ownedByDjango && mode === 'auto') {
      spotlightSchema = 'skipped-existing';
    } else {
      if (mode === 'auto' && !(await db.schema.hasTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE))) {
        const others = (await tableNames(db)).filter((name) => !name.startsWith('spotlight_export'));
        if (others.length > 0) throw new ForeignDatabaseError(options.target ?? 'this URL', others);
      }
      const [, names] = await db.migrate.latest({
        tableName: SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE,
        migrationSource: new InMemoryMigrationSource(spotlightMigrations),
      });
      ran.push(...names);
      spotlightSchema = 'migrated';
    }
  }
  const [, names] = await db.migrate.latest({
    tableName: PRODUCT_MIGRATIONS_TABLE,
    migrationSource: new InMemoryMigrationSource(productMigrations),
  });
  ran.push(...names);
  return { spotlightSchema, ran };
}

/** The tables of the current database, sorted. */
export async function tableNames(db: Knex): Promise<string[]> {
  if (dialectOf(db) === 'sqlite') {
    const rows: Array<{ name: string }> = await db.raw(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
    );
    return rows.map((row) => row.name).sort();
  }
  const [rows] = (await db.raw(
    'select table_name as name from information_schema.tables where table_schema = database()',
  )) as [Array<{ name: string }>];
  return rows.map((row) => row.name).sort();
}

/** The product's migrations this database has not run yet, in order; all of them when it has none. */
export async function pendingProductMigrations(db: Knex): Promise<string[]> {
  const names = Object.keys(productMigrations).sort();
  if (!(await db.schema.hasTable(PRODUCT_MIGRATIONS_TABLE))) return names;
  const done = new Set(
    (await db(PRODUCT_MIGRATIONS_TABLE).select('name')).map((row: { name: string }) => row.name),
  );
  return names.filter((name) => !done.has(name));
}
