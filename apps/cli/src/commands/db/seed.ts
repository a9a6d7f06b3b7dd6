import { Flags } from '@oclif/core';
import { generateCustomer, seedDemo, type GenerateReport } from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { EXIT_CODES_HELP } from '../../exit-codes';

export type DbSeedResult = GenerateReport;

export default class DbSeed extends SpotlightCommand<DbSeedResult> {
  static override summary = 'Fill the database with a generated customer: the demo, or one of any size.';

  static override description = `--demo creates example.com with its manager manager@example.com, a few hundred users with activity of every kind, and a second site to show that exports never mix customers. --users creates one customer of that size instead; the same --seed gives the same data. Run "spotlight db migrate" first.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --demo',
    '<%= config.bin %> <%= command.id %> --users 5000 --seed 42 --domain big.example.com',
  ];

  static override flags = {
    demo: Flags.boolean({
      summary: 'Create the demo customer example.com and a second site.',
      exactlyOne: ['demo', 'users'],
    }),
    users: Flags.integer({
      summary: 'Create one customer with this many users.',
      min: 1,
      exactlyOne: ['demo', 'users'],
    }),
    seed: Flags.integer({
      summary: 'Seed of the random generator, for repeatable data.',
      dependsOn: ['users'],
    }),
    domain: Flags.string({ summary: 'Domain of the generated customer.', dependsOn: ['users'] }),
    name: Flags.string({ summary: 'Display name of the generated customer.', dependsOn: ['users'] }),
  };

  async run(): Promise<DbSeedResult> {
    const { flags } = await this.parse(DbSeed);
    const onProgress = (message: string) => {
      if (this.interactive) this.logToStderr(message);
    };
    const db = this.services.db;
    const report =
      flags.users === undefined
        ? await seedDemo(db, { onProgress })
        : await generateCustomer(db, {
            users: flags.users,
            seed: flags.seed,
            domain: flags.domain,
            name: flags.name,
            onProgress,
          });
    this.log(describeSeed(report));
    return report;
  }
}

function describeSeed(report: GenerateReport): string {
  const { site } = report;
  const lines = [
    `Created ${site.domain} (${site.name}): ${report.users} users, ${report.activityRows} activity rows, in ${(report.durationMs / 1000).toFixed(1)} s.`,
    `Its manager: ${report.managerEmail}`,
  ];
  if (report.noiseSites.length) lines.push(`Other sites, to show isolation: ${report.noiseSites.join(', ')}`);
  lines.push(`Export it: spotlight export user-activity -c ${site.domain} -e ${report.managerEmail}`);
  return lines.join('\n');
}
