import fs from 'node:fs';
import path from 'node:path';
import { expectSuccess, runCli } from './__fixtures__/run-cli';

const ROOT = path.resolve(__dirname, '..');

/** The command ids oclif should find: one per command file under src/commands. */
function commandIds(): string[] {
  const dir = path.join(ROOT, 'src', 'commands');
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !/\.(e2e-|int-)?spec\.ts$/.test(file))
    .map((file) => file.replace(/\.ts$/, '').split(path.sep).join(':'))
    .sort();
}

describe('spotlight help', () => {
  it('lists the topics and commands, as "spotlight help" and as "spotlight --help"', async () => {
    const [help, flag] = await Promise.all([runCli(['help']), runCli(['--help'])]);
    expectSuccess(help);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('USAGE\n  $ spotlight [COMMAND]');
    expect(help.stdout).toMatch(/^ {2}export +Export customer data and email it/m);
    expect(help.stdout).toMatch(/^ {2}autocomplete +Display autocomplete installation instructions/m);
    expectSuccess(flag);
    expect(flag.stdout).toBe(help.stdout);
  });

  it('prints a command\'s usage, as "spotlight help <command>" and with --help', async () => {
    const [help, flag] = await Promise.all([
      runCli(['help', 'export', 'user-activity']),
      runCli(['export', 'user-activity', '--help']),
    ]);
    expectSuccess(help);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^USAGE\n {2}\$ spotlight export user-activity -c <value> -e <value>/m);
    expect(help.stdout).toMatch(/^ {2}-e, --email=<value> +\(required\) The recipient/m);
    expectSuccess(flag);
    expect(flag.stdout).toBe(help.stdout);
  });

  it('still refuses an unknown command as bad usage', async () => {
    const run = await runCli(['hepl']);
    expect([run.code, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toBe(
      'Error: "hepl" is not a spotlight command; run "spotlight --help" to list them.\n',
    );
  });

  it('explains shell completion', async () => {
    const run = await runCli(['autocomplete', '--help']);
    expectSuccess(run);
    expect(run.stdout).toMatch(/^USAGE\n {2}\$ spotlight autocomplete \[SHELL\]/m);
    expect(run.stdout).toContain('$ spotlight autocomplete bash');
  });
});

// What each command can end with besides 0, 1, 2 and 130/143, which every command can.
const EXIT_CODES_BY_COMMAND: Record<string, number[]> = {
  'customers list': [6],
  'customers managers': [3, 6],
  'db migrate': [6],
  'db seed': [6],
  'export user-activity': [3, 4, 5, 6, 7, 8, 9],
  'exports list': [6],
  'exports resend': [3, 4, 5, 6, 7, 8, 9],
  'schedules list': [6],
  'schedules pause': [6],
  'schedules resume': [3, 4, 6],
  'schedules run': [3, 4, 6],
  'schedules show': [6],
  'token create': [3, 6],
  'token list': [6],
  'token revoke': [6],
};

/** The exit codes a command's --help lists, from its "Exit codes:" paragraph (wrapped or not). */
function listedExitCodes(help: string): string[] {
  const paragraph = /Exit codes: (.*?)\.(?: |$)/.exec(help.replace(/\s+/g, ' '))?.[1];
  if (!paragraph) throw new Error(`No "Exit codes:" paragraph in:\n${help}`);
  return paragraph.split('; ').map((entry) => entry.split(' ')[0]);
}

describe("each command's --help", () => {
  it('covers every command', () => {
    expect(Object.keys(EXIT_CODES_BY_COMMAND).map((id) => id.replace(' ', ':'))).toEqual(commandIds());
  });

  it.each(Object.entries(EXIT_CODES_BY_COMMAND))(
    '%s lists exactly the exit codes it can return',
    async (id, codes) => {
      const run = await runCli([...id.split(' '), '--help']);
      expectSuccess(run);
      expect(listedExitCodes(run.stdout)).toEqual(['0', '1', '2', ...codes.map(String), '130/143']);
    },
  );
});

describe('the oclif manifest', () => {
  it('is written by the build and lists every command of this version', () => {
    const file = path.join(ROOT, 'oclif.manifest.json');
    expect(fs.existsSync(file)).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      version: string;
      commands: Record<string, unknown>;
    };
    const pjson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(manifest.version).toBe(pjson.version);
    expect(Object.keys(manifest.commands).sort()).toEqual(commandIds());
  });

  it('lets help run without loading any command, nor core and its database drivers', async () => {
    for (const args of [['--help'], ['export', 'user-activity', '--help']]) {
      const run = await runCli(args, { NODE_DEBUG: 'module' });
      expectSuccess(run);
      const loaded = run.stderr.split('\n').filter((line) => line.includes(' load "'));
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((line) => /dist\/commands\/|packages\/core\/|\/knex\//.test(line))).toEqual([]);
    }
  });
});
