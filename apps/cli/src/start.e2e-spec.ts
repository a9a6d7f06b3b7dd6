import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeEachDatabase, type SiteRow, type UserRow } from '@spotlight/core/testing';
import { SmtpCapture } from '@spotlight/testing';
import {
  BIN,
  CLI_NODE_FLAGS,
  nodeFirstOnPath,
  tempDir,
  waitUntil,
  type CliRun,
} from './__fixtures__/run-cli';

/**
 * One CLI however it is started (issue 21, point 4): the memory settings of
 * bin/run.js (packages/bench/README.md, "One CLI however it is started") are
 * in force in the process that does the export, whichever documented way
 * started it, and a signal to the command still ends it as it would end one
 * process. Seen from outside, as an operator would: the running processes'
 * command lines and environments in /proc.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SETTINGS = CLI_NODE_FLAGS;

interface Proc {
  pid: number;
  ppid: number;
  argv: string[];
  env: Map<string, string>;
}

/** Every process whose environment has `name=value`, read from /proc. */
function processesWith(name: string, value: string): Proc[] {
  const found: Proc[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = new Map(
        fs
          .readFileSync(`/proc/${entry}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((pair): [string, string] => [
            pair.slice(0, pair.indexOf('=')),
            pair.slice(pair.indexOf('=') + 1),
          ]),
      );
      if (env.get(name) !== value) continue;
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))![1]);
      found.push({ pid: Number(entry), ppid, argv, env });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function start(
  command: string,
  args: string[],
  env: Record<string, string>,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<CliRun> {
  const child = spawn(command, args, {
    cwd: ROOT,
    // Its own process group, as a shell gives a command: Ctrl-C reaches every process in it.
    detached: true,
    env: { PATH: nodeFirstOnPath(), HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn(child.pid!);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not exit within 90 s\n${stdout}\n${stderr}`));
    }, 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describeEachDatabase('spotlight started each documented way', (db) => {
  let dir: string;
  let site: SiteRow;
  let manager: UserRow;

  beforeAll(async () => {
    dir = tempDir();
    site = await db.factory.site({ name: 'Started' });
    manager = await db.factory.manager({ site, email: `boss@${site.domain}` });
    await db.factory.idea({ site, creator: manager });
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const ways: Array<[string, string, string[], Record<string, string>, number]> = [
    // Without the settings: bin/run.js starts the CLI once more with them, two processes.
    ['node apps/cli/bin/run.js', process.execPath, [BIN], {}, 2],
    // Through its shebang, which gives the settings: one process.
    ['apps/cli/bin/run.js (the bin, as npm links it)', BIN, [], {}, 1],
    ['npx pnpm@10.34.9 -s spotlight', 'npx', ['--yes', 'pnpm@10.34.9', '-s', 'spotlight'], {}, 1],
    // Started with the settings already (a unit file may): no restart, one process.
    [
      'node with the settings on its command line',
      process.execPath,
      [...SETTINGS, BIN],
      { MALLOC_ARENA_MAX: '1' },
      1,
    ],
  ];

  it.each(ways)(
    '%s: the export runs with the settings, and SIGTERM ends it with 143',
    async (_way, command, prefix, extraEnv, processes) => {
      const smtp = await SmtpCapture.start({ fault: 'stall-data' });
      // The scratch folder names this run's processes among all the machine's.
      const scratch = path.join(dir, `scratch-${Math.random().toString(36).slice(2)}`);
      try {
        const done = start(
          command,
          [...prefix, 'export', 'user-activity', '-c', site.domain, '-e', manager.email],
          { DATABASE_URL: db.url, SMTP_URL: smtp.url, SPOTLIGHT_SCRATCH_DIR: scratch, ...extraEnv },
        );
        // The whole email is with the silent mail server: the export waits for its answer.
        await waitUntil(() => smtp.dataEnded > 0, 60_000, 'the whole email reaching the mail server');

        const cli = processesWith('SPOTLIGHT_SCRATCH_DIR', scratch).filter((proc) =>
          proc.argv.some((arg) => arg.endsWith(path.join('bin', 'run.js'))),
        );
        expect(cli).toHaveLength(processes);
        const pids = new Set(cli.map((proc) => proc.pid));
        const working = cli.filter((proc) => !cli.some((other) => other.ppid === proc.pid));
        expect(working).toHaveLength(1);
        expect(working[0]!.argv.slice(1, 1 + SETTINGS.length)).toEqual(SETTINGS);
        expect(working[0]!.env.get('MALLOC_ARENA_MAX')).toBe('1');

        // The signal goes to the first CLI process, as a shell's `kill` or a supervisor would send it.
        const first = cli.find((proc) => !pids.has(proc.ppid))!;
        process.kill(first.pid, 'SIGTERM');
        const run = await done;
        expect(run.stderr).toContain(
          'Error: Interrupted by SIGTERM after the whole email was handed to the mail server: it may have arrived',
        );
        // pnpm reports a script's failure in its own terms; node and the bin end as the CLI does.
        if (command !== 'npx') expect(run.code).toBe(143);
        else expect(run.code).not.toBe(0);
        expect(processesWith('SPOTLIGHT_SCRATCH_DIR', scratch)).toEqual([]);
      } finally {
        await smtp.stop();
      }
    },
    120_000,
  );

  it('Ctrl-C, which reaches both processes of a restarted CLI, interrupts the export once: 130', async () => {
    const smtp = await SmtpCapture.start({ fault: 'stall-data' });
    const scratch = path.join(dir, 'scratch-ctrl-c');
    try {
      let group = 0;
      const done = start(
        process.execPath,
        [BIN, 'export', 'user-activity', '-c', site.domain, '-e', manager.email, '--json'],
        { DATABASE_URL: db.url, SMTP_URL: smtp.url, SPOTLIGHT_SCRATCH_DIR: scratch },
        (pid) => (group = pid),
      );
      await waitUntil(() => smtp.dataEnded > 0, 60_000, 'the whole email reaching the mail server');
      expect(processesWith('SPOTLIGHT_SCRATCH_DIR', scratch)).toHaveLength(2);
      process.kill(-group, 'SIGINT');
      const run = await done;
      expect(run.code).toBe(130);
      // Interrupted once, not ended at once by the relayed copy: the export says what became of the email.
      const message = `Interrupted by SIGINT after the whole email was handed to the mail server: it may have arrived (Message-ID <`;
      expect(run.stderr.split('\n')).toEqual([expect.stringContaining(`Error: ${message}`), '']);
      expect(JSON.parse(run.stdout)).toEqual({
        error: { code: 'INTERRUPTED', message: expect.stringContaining(message), exitCode: 130 },
      });
      expect(smtp.transactions).toBe(1);
    } finally {
      await smtp.stop();
    }
  }, 120_000);
});
