import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './__fixtures__/run-cli';

const ROOT = path.resolve(__dirname, '../../..');
// The product's version (the root package.json's), as `spotlight --version` names the build.
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const COMMIT = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: ROOT,
  encoding: 'utf8',
}).stdout.trim();

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 150_000 });
  if (result.error) throw result.error;
  return result;
}

// What the root README tells support to run once, as root or as a user with an npm prefix of their own.
describe('npx pnpm@10.34.9 cli:install', () => {
  let prefix: string;
  let elsewhere: string;

  beforeAll(() => {
    prefix = tempDir('spotlight-npm-prefix-');
    elsewhere = tempDir('spotlight-elsewhere-');
  });

  afterAll(() => {
    for (const dir of [prefix, elsewhere]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('puts spotlight in the npm prefix, and it runs from any folder', () => {
    // The whole environment (npx checks the registry, through the machine's proxy and
    // certificates) as a user's shell has it: without the npm_* settings that the
    // test runner's own pnpm put there, which a user's npm would never see.
    const shell = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
    const env: NodeJS.ProcessEnv = { ...shell, npm_config_prefix: prefix };
    const install = run('npx', ['--yes', 'pnpm@10.34.9', '-s', 'cli:install'], ROOT, env);
    expect({ status: install.status, stderr: install.stderr }).toEqual({ status: 0, stderr: '' });
    const bin = path.join(prefix, 'bin');
    expect(install.stdout).toContain(`Installed spotlight in ${bin}`);

    const version = run(path.join(bin, 'spotlight'), ['--version'], elsewhere, env);
    expect([version.status, version.stderr]).toEqual([0, '']);
    expect(version.stdout).toBe(`spotlight-exports/${VERSION} (${COMMIT}) node-${process.version}\n`);

    const help = run('spotlight', ['--help'], elsewhere, {
      ...env,
      PATH: `${bin}${path.delimiter}${env.PATH}`,
    });
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toContain('USAGE\n  $ spotlight [COMMAND]');
    expect(help.stdout).toMatch(/^ {2}schedules +List, pause, resume and run/m);
  }, 180_000);
});
