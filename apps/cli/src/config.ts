import { loadCoreSettings, loadWithEnvFile, readEnvironment, type CoreSettings } from '@spotlight/core';

/** Everything the CLI takes from its environment, validated. */
export interface CliConfig {
  core: CoreSettings;
}

let loaded: CliConfig | undefined;

/**
 * Reads and validates the environment once per process, over `./.env` (or the
 * file SPOTLIGHT_ENV_FILE names); this is the only place the CLI reads
 * `process.env` (besides {@link debugEnabled}). Throws a one-line
 * ConfigurationError naming every bad variable.
 */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  loaded ??= loadWithEnvFile(readEnvironment(env), (values) => ({ core: loadCoreSettings(values) }));
  return loaded;
}

/**
 * Whether to print stack traces. Read apart from the rest so that a broken
 * configuration can still be debugged.
 */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DEBUG);
}
