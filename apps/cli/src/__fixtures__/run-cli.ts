import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The built binary, as a user runs it. */
export const BIN = path.resolve(__dirname, '../../bin/run.js');

/**
 * The node flags bin/run.js runs the CLI with: its shebang gives them, with MALLOC_ARENA_MAX=1,
 * and it restarts itself with them when it was started without (`node bin/run.js`).
 */
export const CLI_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=128', '--expose-gc'];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `spotlight <args>` in a child process with only `env` (plus PATH and
 * HOME): the test's own environment, DATABASE_URL included, never leaks in.
 */
export function startCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 45_000,
  cwd?: string,
): { child: ChildProcess; done: Promise<CliRun> } {
  // Started as a user's shell starts `spotlight`: the bin itself, through its shebang, with the
  // Node that runs the tests first on the PATH.
  const child = spawn(BIN, args, {
    cwd,
    env: { PATH: nodeFirstOnPath(), HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `spotlight ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

/** This process's PATH with the folder of the Node that runs it first. */
export function nodeFirstOnPath(): string {
  return [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter);
}

/** Runs `spotlight <args>` to the end (see {@link startCli}). */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs?: number,
  cwd?: string,
): Promise<CliRun> {
  return startCli(args, env, timeoutMs, cwd).done;
}

/** Fails with the whole output unless the command exited 0. */
export function expectSuccess(run: CliRun): void {
  if (run.code !== 0) throw new Error(`exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

/** Parses the --json output, failing with the whole output when it is not JSON. */
export function parseJson<T>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`Expected JSON on stdout (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** Every file (not folder) below `dir`, relative to it; none when it does not exist. */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  // A running export may remove a file between the listing and the look at it.
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter(
    (name) => fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.isFile() ?? false,
  );
}

/** A fresh folder for a test file's outputs. */
export function tempDir(prefix = 'spotlight-cli-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

if (!fs.existsSync(path.resolve(__dirname, '../../dist/commands'))) {
  throw new Error(
    'apps/cli is not built: run "pnpm turbo run build --filter=@spotlight/cli..." before its e2e tests.',
  );
}

/** Resolves once `condition` holds, checked every 20 ms; fails after `ms`, naming `what`. */
export async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
