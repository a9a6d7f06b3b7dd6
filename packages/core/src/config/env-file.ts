import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigurationError, firstLine } from '../errors';

/** The variable that names another settings file than `./.env`. */
export const ENV_FILE_VARIABLE = 'SPOTLIGHT_ENV_FILE';

export interface Environment {
  /** The file's values overlaid by the process environment: the environment wins. */
  env: Record<string, string | undefined>;
  /** The settings file read, or null when there was none. */
  file: string | null;
}

/**
 * The environment each app validates: `.env` in `cwd` (or the file
 * SPOTLIGHT_ENV_FILE names) under `processEnv`. A missing `./.env` is fine; a
 * named file that cannot be read is a ConfigurationError. Parsed with Node's
 * own `util.parseEnv` (no dependency); `processEnv` is not changed.
 */
export function readEnvironment(
  processEnv: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): Environment {
  const named = processEnv[ENV_FILE_VARIABLE]?.trim();
  const file = path.resolve(cwd, named || '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!named && code === 'ENOENT') return { env: { ...processEnv }, file: null };
    throw new ConfigurationError(
      `Invalid configuration: ${named ? `${ENV_FILE_VARIABLE} names ${file}, which` : `${file}`} cannot be read (${firstLine(
        (error as Error).message,
      )}); ${named ? `set ${ENV_FILE_VARIABLE} to a readable file or unset it` : 'make it readable or remove it'}.`,
    );
  }
  return { env: { ...parseEnv(text), ...processEnv }, file };
}

/**
 * Runs `load` over the environment and, when a settings file took part, adds
 * the file's name to a ConfigurationError, so a bad value is found where it is.
 */
export function loadWithEnvFile<T>(environment: Environment, load: (env: Environment['env']) => T): T {
  try {
    return load(environment.env);
  } catch (error) {
    if (error instanceof ConfigurationError && environment.file)
      throw new ConfigurationError(
        `${error.message} (settings from the environment and ${environment.file})`,
      );
    throw error;
  }
}
