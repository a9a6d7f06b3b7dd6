/**
 * @spotlight/cli: the `spotlight` support command line. Commands live in
 * `src/commands/<topic>/<verb>.ts`; new ones extend {@link SpotlightCommand}
 * to get `--json`, the shared services and the exit code mapping.
 */
export { SpotlightCommand, type JsonFailure } from './base-command';
export { EXIT_CODES, describeFailure, type CliErrorCode, type CliFailure } from './exit-codes';
export { openServices, type Services } from './services';
export { loadCliConfig, type CliConfig } from './config';
