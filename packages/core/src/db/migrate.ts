import type { Knex } from 'knex';
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
 * Brings the database up to date. With `spotlightSchema: 'auto'` (the default),
 * Spotlight's Django tables are created only when this product created them
 * before or when they do not exist at all: a production Spotlight database,
 * whose tables Django owns, only gets the product's own migration set.
 */
export async function migrateLatest(
  db: Knex,
  options: { spotlightSchema?: SpotlightSchemaMode } = {},
): Promise<MigrationReport> {
  const mode = options.spotlightSchema ?? 'auto';
  const ran: string[] = [];
  let spotlightSchema: MigrationReport['spotlightSchema'] = 'skipped';
  if (mode !== 'never') {
    const ownedByDjango =
      (await db.schema.hasTable('django_site')) &&
      !(await db.schema.hasTable(SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE));
    if (ownedByDjango && mode === 'auto') {
      spotlightSchema = 'skipped-existing';
    } else {
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
