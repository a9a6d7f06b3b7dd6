import { Flags } from '@oclif/core';
import {
  DEMO_SITES,
  generateCustomer,
  SeedSiteExistsError,
  seedDemo,
  type GenerateReport,
} from '@spotlight/seed';
import { parseCustomer, parseName } from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';

/** The demo was already there (`--demo` only): nothing was written. */
export interface DemoAlreadySeeded {
  created: false;
  site: { domain: string; name: string };
  managerEmail: string;
  noiseSites: string[];
}

export type DbSeedResult = (GenerateReport & { created: true }) | DemoAlreadySeeded;

export default class DbSeed extends SpotlightCommand<DbSeedResult> {
  static override summary = 'Fill the database with a generated customer: the demo, or one of any size.';

  static override description = `--demo creates example.com with its manager manager@example.com, a few hundred users with activity of every kind, and a second site to show that exports never mix customers; when both sites are there already (after "pnpm demo", say), it says so and adds nothing. --users creates one customer of that size instead; the same --seed gives the same data, and a domain that exists is refused. Run "spotlight db migrate" first.

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --demo',
    '<%= config.bin %> <%= command.id %> --users 5000 --seed 42 --domain big.example.com',
  ];

  static override flags = {
    demo: Flags.boolean({
      summary: 'Create the demo customer example.com and a second site, unless they exist.',
      exactlyOne: ['demo', 'users'],
    }),
    users: Flags.integer({
      summary: 'Create one customer with this many users (up to 10 million).',
      min: 1,
      max: 10_000_000,
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
    if (flags.users === undefined) {
      try {
        return this.created(await seedDemo(db, { onProgress }));
      } catch (error) {
        const demo = [DEMO_SITES.customer.domain, DEMO_SITES.other.domain];
        if (!(error instanceof SeedSiteExistsError && demo.every((domain) => error.domains.includes(domain))))
          throw error;
        return this.alreadySeeded();
      }
    }
    return this.created(
      await generateCustomer(db, {
        users: flags.users,
        seed: flags.seed,
        domain: flags.domain === undefined ? undefined : parseCustomer(flags.domain),
        name: parseName('--name', flags.name, 50) ?? undefined,
        onProgress,
      }),
    );
  }

  private created(report: GenerateReport): DbSeedResult {
    const { site } = report;
    const lines = [
      `Created ${site.domain} (${site.name}): ${report.users} users, ${report.activityRows} activity rows, in ${(report.durationMs / 1000).toFixed(1)} s.`,
      `Its manager: ${report.managerEmail}`,
    ];
    if (report.noiseSites.length)
      lines.push(`Other sites, to show isolation: ${report.noiseSites.join(', ')}`);
    lines.push(exportHint(site.domain, report.managerEmail));
    this.log(lines.join('\n'));
    return { ...report, created: true };
  }

  private alreadySeeded(): DemoAlreadySeeded {
    const { customer, other } = DEMO_SITES;
    this.log(
      [
        `The demo data is already there (${customer.domain} and ${other.domain}): nothing was added.`,
        `Its manager: ${customer.managerEmail}`,
        exportHint(customer.domain, customer.managerEmail),
      ].join('\n'),
    );
    return {
      created: false,
      site: { domain: customer.domain, name: customer.name },
      managerEmail: customer.managerEmail,
      noiseSites: [other.domain],
    };
  }
}

function exportHint(domain: string, manager: string): string {
  return `Export it: spotlight export user-activity -c ${domain} -e ${manager}`;
}
