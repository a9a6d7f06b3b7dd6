import fs from 'node:fs';
import path from 'node:path';
import { explainStorageError } from '../errors';
import { partialPathOf } from './atomic-file';

/** A copy of the workbook written beside its destination, kept only if the export succeeds. */
export interface PreparedCopy {
  readonly destination: string;
  /** Puts the copy in place (a rename: it appears whole or not at all). */
  commit(): Promise<string>;
  /** Removes the written copy. */
  discard(): Promise<void>;
}

/**
 * Writes the copy beside the target now, before anything is sent, so that
 * a destination that cannot be written fails the export while nothing has
 * gone out; afterwards only a rename in the same folder is left to do.
 */
export async function prepareCopy(file: string, target: string): Promise<PreparedCopy> {
  const destination = path.resolve(target);
  const partial = partialPathOf(destination);
  try {
    await fs.promises.mkdir(path.dirname(destination), { recursive: true });
    await fs.promises.copyFile(file, partial);
  } catch (error) {
    await fs.promises.rm(partial, { force: true }).catch(() => undefined);
    throw explainStorageError(error, `the workbook to ${destination}`);
  }
  return {
    destination,
    async commit() {
      await fs.promises.rename(partial, destination);
      return destination;
    },
    async discard() {
      await fs.promises.rm(partial, { force: true });
    },
  };
}
