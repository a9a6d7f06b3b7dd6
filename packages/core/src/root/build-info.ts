import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What was built: the product's version and the commit it was built from. */
export interface BuildInfo {
  version: string;
  /** A short commit hash, or "unknown" outside a git checkout without a stamp. */
  commit: string;
}

/** Written into core's dist by `pnpm run package` (scripts/package.mjs), so a release archive names its build. */
export const BUILD_INFO_FILE = path.resolve(__dirname, '..', 'build-info.json');
/** The repository's root, from packages/core/dist/root: in a checkout, its package.json names the version. */
const CHECKOUT_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

let cached: BuildInfo | undefined;

/**
 * The version and commit of this build: the stamp of a release archive when
 * there is one; in a checkout, the root package.json's version and the
 * checkout's HEAD; "unknown" for what cannot be found.
 */
export function buildInfo(): BuildInfo {
  cached ??= readStamp() ?? readCheckout();
  return cached;
}

function readStamp(): BuildInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(BUILD_INFO_FILE, 'utf8');
  } catch {
    return undefined;
  }
  const stamp = JSON.parse(text) as Partial<BuildInfo>;
  return { version: stamp.version || 'unknown', commit: stamp.commit || 'unknown' };
}

function readCheckout(): BuildInfo {
  let version = 'unknown';
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(CHECKOUT_ROOT, 'package.json'), 'utf8')) as {
      version?: string;
    };
    version = pkg.version || version;
  } catch {
    // Not a checkout.
  }
  let commit = 'unknown';
  try {
    commit =
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: CHECKOUT_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 5_000,
      }).trim() || commit;
  } catch {
    // No git, or not a repository.
  }
  return { version, commit };
}

/** `spotlight-exports/<version> (<commit>) node-vXX`: what `spotlight --version` prints. */
export function describeBuild(info: BuildInfo = buildInfo()): string {
  return `spotlight-exports/${info.version} (${info.commit}) node-${process.version}`;
}
