import fs from 'node:fs';
import path from 'node:path';

/**
 * Files that appear whole or not at all: written beside their destination
 * under this module's name for them, then renamed into place (a rename in
 * the same folder is atomic). Nothing else knows that name.
 */
export function partialPathOf(destination: string): string {
  return `${destination}.partial`;
}

/** Writes `destination` through `write` (given the file to write) and renames it into place; on failure removes what was written. */
export async function writeAtomically(
  destination: string,
  write: (partial: string) => Promise<void>,
): Promise<void> {
  const partial = partialPathOf(destination);
  try {
    await write(partial);
    await fs.promises.rename(partial, destination);
  } catch (error) {
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}

/** Removes what an unfinished write to `destination` left; synchronous, for an exit handler. */
export function removeUnfinishedSync(destination: string): void {
  fs.rmSync(partialPathOf(path.resolve(destination)), { force: true });
}
