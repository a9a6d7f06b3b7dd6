import type { Hook } from '@oclif/core';
import { Errors } from '@oclif/core';
import { EXIT_CODES } from '../exit-codes';

/** An unknown command is bad usage: one line and exit code 2, like every other usage error. */
const hook: Hook<'command_not_found'> = async function (options) {
  const command = options.id.replace(/:/g, ' ');
  process.stderr.write(
    `Error: "${command}" is not a spotlight command; run "spotlight --help" to list them.\n`,
  );
  throw new Errors.ExitError(EXIT_CODES.USAGE);
};

export default hook;
