import type { Hook } from '@oclif/core';

/**
 * `spotlight --version` names the build, `spotlight-exports/<version> (<commit>) node-vXX`,
 * instead of oclif's package name and platform: what a release archive was stamped with.
 */
const hook: Hook<'init'> = async function (options) {
  if (options.id !== '--version') return;
  // Loaded only here: every other start (help above all) runs this hook and must not load core.
  const { describeBuild } = await import('@spotlight/core/build-info');
  // oclif prints config.userAgent for --version, right after this hook; it is read-only in the types only.
  (this.config as { userAgent: string }).userAgent = describeBuild();
};

export default hook;
