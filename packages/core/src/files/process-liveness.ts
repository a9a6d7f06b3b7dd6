/**
 * Whether a process with that id runs on this machine, for removing what a
 * process that no longer runs left behind (scratch folders, unfinished files,
 * SQLite export locks). Signal 0 only checks; EPERM: it runs, as another user.
 */
export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
