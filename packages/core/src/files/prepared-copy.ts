import fs from 'node:fs';
import path from 'node:path';
import { explainStorageError } from '../errors';
import { startUnfinished, sweepAbandoned } from './atomic-file';
import { PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from './private-folder';

/** A copy of the workbook written beside its destination, kept only if the export succeeds. */
export interface PreparedCopy {
  readonly destination: string;
  /** Puts the copy in place (a rename: it appears whole or not at all). */
  commit(): Promise<string>;
  /** Removes the written copy, and the folders made for it. */
  discard(): Promise<void>;
}

/**
 * Writes the copy beside the target now, before anything is sent, so that
 * a destination that cannot be written fails the export while nothing has
 * gone out; afterwards only a rename in the same folder is left to do.
 */
export async function prepareCopy(file: string, target: string): Promise<PreparedCopy> {
  const destination = path.resolve(target);
  const folder = path.dirname(destination);
  const partial = startUnfinished(destination);
  let made: string | undefined;
  const removeAll = async () => {
    await fs.promises.rm(partial.path, { force: true });
    partial.done();
    await removeFoldersMade(folder, made);
  };
  try {
    made = await fs.promises.mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    await sweepAbandoned(destination);
    // The copy takes the mode of the scratch workbook (private); said again in case it was not.
    await fs.promises.copyFile(file, partial.path, fs.constants.COPYFILE_EXCL);
    await fs.promises.chmod(partial.path, PRIVATE_FILE_MODE);
  } catch (error) {
    await removeAll().catch(() => undefined);
    throw explainStorageError(error, `the workbook to ${destination}`);
  }
  return {
    destination,
    async commit() {
      await fs.promises.rename(partial.path, destination);
      partial.done();
      return destination;
    },
    discard: removeAll,
  };
}

/** Removes `folder` and its parents up to `made` (the first folder mkdir made), as long as each is empty. */
async function removeFoldersMade(folder: string, made: string | undefined): Promise<void> {
  if (!made) return;
  for (let current = folder; current.startsWith(made); current = path.dirname(current)) {
    try {
      await fs.promises.rmdir(current);
    } catch {
      return;
    }
    if (current === made) return;
  }
}
