import fs from 'node:fs';

/**
 * Whether a process with that id runs on this machine, for removing what a
 * process that no longer runs left behind (scratch folders, unfinished files,
 * SQLite export locks). Signal 0 only checks; EPERM: it runs, as another user.
 *
 * Signal 0 also succeeds for a zombie: a process that has ended but whose
 * parent has not collected it yet. A kill -9 of bin/run.js leaves the CLI it
 * restarted one until init reaps it (every 2 s on CI's machine; never under an
 * init that does not reap), and its leftovers must not wait for that: on
 * Linux its state in /proc says it has ended.
 */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !hasEnded(pid);
}

function hasEnded(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    // Reaped between the signal and the read; any other failure: trust the signal.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  // "pid (name) state ...": the name may hold spaces and parentheses, the state follows the last ')'.
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'Z' || state === 'X';
}
