import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { processIsRunning } from './process-liveness';

/** Each destination's unfinished files in this process, for an interrupted command to remove. */
const unfinished = new Map<string, Set<string>>();

/**
 * Files that appear whole or not at all: written beside their destination
 * under a name of this module's, then renamed into place (a rename in the
 * same folder is atomic). The name is new for every write and the file must
 * be created with it (`wx`, COPYFILE_EXCL): whatever already sits at a
 * guessable name (a user's file, a link planted in a shared folder) is
 * never written through or replaced.
 */
export function startUnfinished(destination: string): { path: string; done(): void } {
  const key = path.resolve(destination);
  const file = `${key}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  const files = unfinished.get(key) ?? new Set<string>();
  files.add(file);
  unfinished.set(key, files);
  return {
    path: file,
    done() {
      files.delete(file);
      if (files.size === 0) unfinished.delete(key);
    },
  };
}

/**
 * Writes `destination` through `write`, which must create the file it is
 * given (flag `wx`), and renames it into place; on failure removes what was
 * written.
 */
export async function writeAtomically(
  destination: string,
  write: (partial: string) => Promise<void>,
): Promise<void> {
  const partial = startUnfinished(destination);
  try {
    await write(partial.path);
    await fs.promises.rename(partial.path, destination);
  } catch (error) {
    await fs.promises.rm(partial.path, { force: true });
    throw error;
  } finally {
    partial.done();
  }
}

/**
 * Removes the unfinished files beside `destination` that a process no longer
 * running left (killed before it could clean up): their names are never
 * used again, so nothing else would.
 */
export async function sweepAbandoned(destination: string): Promise<void> {
  const key = path.resolve(destination);
  const prefix = `${path.basename(key)}.`;
  const names = await fs.promises.readdir(path.dirname(key)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = /^(\d+)-[0-9a-f]{8}\.partial$/.exec(
      name.startsWith(prefix) ? name.slice(prefix.length) : '',
    )?.[1];
    if (pid && !processIsRunning(Number(pid)))
      await fs.promises.rm(path.join(path.dirname(key), name), { force: true });
  }
}

/** Removes what unfinished writes to `destination` left; synchronous, for an exit handler. */
export function removeUnfinishedSync(destination: string): void {
  for (const file of unfinished.get(path.resolve(destination)) ?? []) fs.rmSync(file, { force: true });
}
