import type { Hook } from '@oclif/core';
import { describeBuild } from '@spotlight/core/build-info';

/**
 * `spotlight --version` names the build, `spotlight-exports/<version> (<commit>) node-vXX`,
 * instead of oclif's package name and platform: what a release archive was stamped with.
 */
const hook: Hook<'init'> = async function (options) {
  // oclif prints config.userAgent for --version, right after this hook; it is read-only in the types only.
  if (options.id === '--version') (this.config as { userAgent: string }).userAgent = describeBuild();
};

export default hook;
