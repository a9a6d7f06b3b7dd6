import fs from 'node:fs';
import { ConfigurationError } from '../errors';

/** Folders that hold customers' data: only this OS user may enter them. */
export const PRIVATE_FOLDER_MODE = 0o700;
/** Files that hold customers' data: only this OS user may read them. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Refuses an existing `folder` that is not one, or not this OS user's, in one
 * line naming `setting`; one of ours that others can enter is made private.
 * A folder that does not exist yet passes: it is made private when first used.
 */
export function checkPrivateFolder(folder: string, setting: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stat.isDirectory()) {
    throw new ConfigurationError(`${setting} ${folder} is not a folder; set ${setting} to a folder.`);
  }
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new ConfigurationError(
      `${setting} ${folder} belongs to another user, who could read customers' data in it; set ${setting} to a folder of your own.`,
    );
  }
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(folder, PRIVATE_FOLDER_MODE);
}

/** Makes `folder` (and any missing parent) private to this OS user, or refuses it as {@link checkPrivateFolder} does. */
export async function ensurePrivateFolder(folder: string, setting: string): Promise<void> {
  // mkdir's mode is masked by the umask, which only ever takes bits away from 0700.
  await fs.promises.mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  checkPrivateFolder(folder, setting);
}
