import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../errors';
import { processIsRunning } from '../files/process-liveness';

/** The default root of every process's scratch folder: one per OS user, in the system's temporary folder. */
export function defaultScratchRoot(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `spotlight-exports-${user}`);
}

const OWN_FOLDER = /^(\d+)-[0-9A-Za-z]+$/;

/**
 * The private scratch folder of this process (mode 0700) under a known root.
 * Workbooks and spools of users' addresses live here while an export runs;
 * a process killed mid-export cannot clean up, so every start removes the
 * folders of processes that no longer run.
 */
export class ScratchSpace {
  private constructor(readonly dir: string) {}

  /** Creates the root if needed, removes stale folders under it, and makes this process's folder. */
  static open(root: string, isRunning: (pid: number) => boolean = processIsRunning): ScratchSpace {
    ensurePrivateRoot(root);
    sweepStale(root, isRunning);
    const dir = fs.mkdtempSync(path.join(root, `${process.pid}-`));
    fs.chmodSync(dir, 0o700);
    return new ScratchSpace(dir);
  }

  /** Removes the folder and everything in it. Synchronous, so a signal handler can call it. */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function ensurePrivateRoot(root: string): void {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(root);
  if (!stat.isDirectory() || stat.isSymbolicLink()) {
    throw new ConfigurationError(
      `The scratch folder ${root} is not a folder; set SPOTLIGHT_SCRATCH_DIR to one.`,
    );
  }
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new ConfigurationError(
      `The scratch folder ${root} belongs to another user; set SPOTLIGHT_SCRATCH_DIR to a folder of your own.`,
    );
  }
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(root, 0o700);
}

/**
 * Removes the scratch folders of processes that no longer run; every CLI and
 * server start calls it. A root that does not exist has nothing to remove.
 */
export function sweepStaleScratch(
  root: string,
  isRunning: (pid: number) => boolean = processIsRunning,
): void {
  if (!fs.existsSync(root)) return;
  sweepStale(root, isRunning);
}

function sweepStale(root: string, isRunning: (pid: number) => boolean): void {
  for (const name of fs.readdirSync(root)) {
    const match = OWN_FOLDER.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !isRunning(pid)) {
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }
}
