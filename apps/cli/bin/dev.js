#!/usr/bin/env node
// `spotlight` from the working tree, for whoever changes the CLI or core: no TypeScript loader (ts-node,
// tsx) is installed, so this builds the CLI and the packages it uses first (turbo replays unchanged ones
// from its cache in a second or two), then runs the build exactly as bin/run.js does. The build's output
// is shown only when it fails, so that --json output stays clean.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
// turbo needs pnpm on the PATH, and a fresh machine has none: run it through the pinned pnpm.
const { packageManager } = require(path.join(root, 'package.json'));
const build = spawnSync(
  'npx',
  [
    '--yes',
    packageManager,
    'turbo',
    'run',
    'build',
    '--filter=@spotlight/cli...',
    '--output-logs=errors-only',
  ],
  { cwd: root, encoding: 'utf8', env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env } },
);
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  console.error(
    `Error: the build failed${build.error ? ` (${build.error.message})` : ''}; fix it and run again.`,
  );
  process.exit(build.status ?? 1);
}
require('./run.js');
