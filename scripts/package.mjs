// `pnpm run package`: the release archive, out/spotlight-exports-<version>.tgz.
// apps/release (bin/spotlight, bin/spotlight-server) deployed with its production
// dependencies only (`pnpm deploy --prod`: the built CLI, server and core, the
// migrations inside core's dist, better-sqlite3 as built for this platform and
// Node), the console's built files (apps/web/dist) when they exist, and
// build-info.json, the version and commit that `spotlight --version` and the
// server's start line show. Run after a build: the root script builds first.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const started = Date.now();
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
} catch {
  // Not a git checkout: the archive says so.
}

for (const built of ['apps/cli/dist/commands', 'apps/server/dist/main.js', 'packages/core/dist/index.js']) {
  if (!fs.existsSync(path.join(root, built))) {
    console.error(`Error: ${built} is missing; run "npx pnpm@10.34.9 build" first, then this again.`);
    process.exit(1);
  }
}

const name = `spotlight-exports-${version}`;
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-package-'));
const target = path.join(stage, name);
try {
  // The pnpm running this script (npm_execpath), or the pinned one.
  const pnpm = process.env.npm_execpath
    ? [process.execPath, process.env.npm_execpath]
    : ['npx', '--yes', JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).packageManager];
  // --legacy: deploy without injected workspace packages (pnpm 10's default needs inject-workspace-packages).
  const deploy = spawnSync(
    pnpm[0],
    [...pnpm.slice(1), '--filter', '@spotlight/release', 'deploy', '--prod', '--legacy', target],
    { cwd: root, encoding: 'utf8' },
  );
  if (deploy.status !== 0) {
    console.error(`${deploy.stdout}${deploy.stderr}`.trim());
    console.error(`Error: pnpm deploy failed (exit ${deploy.status}).`);
    process.exit(1);
  }

  const stamp = `${JSON.stringify({ version, commit }, null, 2)}\n`;
  fs.writeFileSync(path.join(target, 'build-info.json'), stamp);
  // Where core's buildInfo() looks (packages/core/src/root/build-info.ts): beside dist/root.
  const server = fs.realpathSync(path.join(target, 'node_modules', '@spotlight', 'server'));
  const fromServer = createRequire(path.join(server, 'package.json'));
  const buildInfoModule = fromServer.resolve('@spotlight/core/build-info');
  fs.writeFileSync(path.join(path.dirname(buildInfoModule), '..', 'build-info.json'), stamp);

  const web = path.join(root, 'apps', 'web', 'dist');
  if (fs.existsSync(web)) fs.cpSync(web, path.join(target, 'web', 'dist'), { recursive: true });

  fs.mkdirSync(path.join(root, 'out'), { recursive: true });
  const archive = path.join(root, 'out', `${name}.tgz`);
  execFileSync('tar', ['-czf', archive, '-C', stage, name]);
  const mb = (fs.statSync(archive).size / 2 ** 20).toFixed(1);
  console.log(
    `Wrote ${path.relative(root, archive)} (${mb} MB, ${version} ${commit}${fs.existsSync(web) ? ', with the console' : ''}) in ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
