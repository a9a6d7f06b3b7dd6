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
