import { Flags } from '@oclif/core';
import { migrateLatest, type MigrationReport, type SpotlightSchemaMode } from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';

export interface DbMigrateResult extends MigrationReport {
  /** The database, password masked. */
  database: string;
}

const SCHEMA_MODES: readonly SpotlightSchemaMode[] = ['auto', 'always', 'never'];

export default class DbMigrate extends SpotlightCommand<DbMigrateResult> {
  static override summary = 'Create or update the tables the exports need.';

  static override description = `Runs two migration sets. Spotlight's own tables (django_site, central_user, ...) are created for demos, tests and new installs; against a production Spotlight database, where Django already created them, they are left alone (auto) and only the product's own tables are created. A database that has tables but none of Spotlight's (DATABASE_URL pointing at another application's database, say) is refused unless --spotlight-schema always is given.

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'DATABASE_URL=mysql://exports:secret@db.internal:3306/spotlight <%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --spotlight-schema never',
  ];

  static override flags = {
    'spotlight-schema': Flags.option({
      options: SCHEMA_MODES,
      default: 'auto' as const,
      summary: "Whether to create Spotlight's own tables.",
      description:
        "auto: only when this product created them before or the database is empty (a database with another application's tables is refused); always: run that set anyway; never: only the product tables.",
    })(),
  };

  // A new install's (or the demo's) SQLite file is made here.
  protected override readonly createsSqliteFile = true;

  async run(): Promise<DbMigrateResult> {
    const { flags } = await this.parse(DbMigrate);
    const report = await migrateLatest(this.services.db, {
      spotlightSchema: flags['spotlight-schema'],
      target: this.services.databaseLabel,
    });
    const result = { ...report, database: this.services.databaseLabel };
    this.log(describeMigration(result));
    return result;
  }
}

function describeMigration(result: DbMigrateResult): string {
  const schema = {
    migrated: "Spotlight's tables: migrated by this product.",
    'skipped-existing':
      "Spotlight's tables: skipped, they already exist in this database and belong to Spotlight itself (a production database).",
    skipped: "Spotlight's tables: skipped (--spotlight-schema never).",
  }[result.spotlightSchema];
  const ran = result.ran.length
    ? `Ran ${result.ran.length} migration${result.ran.length === 1 ? '' : 's'}: ${result.ran.join(', ')}.`
    : 'Already up to date: no migration to run.';
  return [`Database ${result.database}`, schema, ran].join('\n');
}
