// postinstall: better-sqlite3 must load in the Node that runs the install. pnpm
// reuses a build from its store made under another Node (a machine that switched
// Node versions, a store filled under Node 20 and a clone installed under 24),
// which then fails on first use with "NODE_MODULE_VERSION 115 ... requires 137".
// So: load it; if it was built for another Node, rebuild it against the headers
// of the Node in use (npm_config_nodedir: a user config such as nodedir=/usr
// may name another Node's), load it again; otherwise one line saying what to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const core = path.join(root, 'packages', 'core', 'package.json');

/** The error of opening an in-memory database with a fresh load of the driver, or undefined. */
function loadError() {
  const check = spawnSync(
    process.execPath,
    [
      '-e',
      `const Database = require(${JSON.stringify(createRequire(core).resolve('better-sqlite3'))}); new Database(':memory:').close();`,
    ],
    { encoding: 'utf8' },
  );
  return check.status === 0 ? undefined : check.stderr;
}

const firstError = loadError();
if (firstError === undefined) process.exit(0);

const wrongBuild =
  /NODE_MODULE_VERSION|did not self-register|invalid ELF|wrong ELF class|Could not locate the bindings file/.test(
    firstError,
  );
const hint = `npm_config_nodedir=${path.resolve(process.execPath, '..', '..')} npx --yes pnpm@10.34.9 rebuild -r better-sqlite3`;
if (!wrongBuild) {
  console.error(
    `Error: better-sqlite3 does not load in node ${process.version}: ${
      firstError
        .trim()
        .split('\n')
        .find((line) => /Error/.test(line)) ?? 'unknown error'
    }; run "${hint}".`,
  );
  process.exit(1);
}

// The registry's node package and official tarballs keep their headers beside bin/: <prefix>/include/node.
const prefix = path.resolve(process.execPath, '..', '..');
const headers = fs.existsSync(path.join(prefix, 'include', 'node', 'node_version.h'));
console.log(
  `better-sqlite3 was built for another Node; rebuilding it for node ${process.version}${headers ? ` with the headers in ${prefix}` : ''} (about a minute).`,
);
const pnpm = process.env.npm_execpath
  ? [process.execPath, process.env.npm_execpath]
  : ['npx', '--yes', 'pnpm@10.34.9'];
const rebuild = spawnSync(pnpm[0], [...pnpm.slice(1), 'rebuild', '-r', 'better-sqlite3'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: headers ? { ...process.env, npm_config_nodedir: prefix } : process.env,
});
const secondError = rebuild.status === 0 ? loadError() : 'the rebuild failed';
if (secondError !== undefined) {
  console.error(
    `Error: better-sqlite3 still does not load in node ${process.version} after a rebuild; run "${hint}" and look at its output.`,
  );
  process.exit(1);
}
console.log(`better-sqlite3 rebuilt for node ${process.version}.`);
