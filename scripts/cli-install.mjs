// Puts the built `spotlight` on the PATH with npm alone: `npm install --global`
// of the apps/cli folder links it into npm's global prefix (its bin/ is on
// the PATH of most shells), so commands, help and shell completion work as
// they are written: `spotlight ...`. It links this checkout's build, so a
// later build needs no new install. Root's prefix is /usr (or /usr/local); a normal
// user needs a prefix of their own, e.g. `npm config set prefix ~/.local`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'apps', 'cli');

if (!fs.existsSync(path.join(cli, 'dist', 'commands'))) {
  console.error('Error: the CLI is not built; run "npx pnpm@10.34.9 build" first, then this again.');
  process.exit(1);
}

const npm = (args, options = {}) =>
  spawnSync('npm', args, { encoding: 'utf8', shell: process.platform === 'win32', ...options });

const prefix = npm(['prefix', '--global']).stdout.trim();
const install = npm(['install', '--global', '--install-links=false', '--no-audit', '--no-fund', cli]);
if (install.status !== 0) {
  const denied = /EACCES|EPERM/.test(install.stderr);
  console.error(
    denied
      ? `Error: npm cannot write to its global prefix ${prefix}; give it one of yours ("npm config set prefix ~/.local", with ~/.local/bin on the PATH) and run this again.`
      : `Error: npm install --global ${cli} failed (exit ${install.status}):\n${install.stderr.trim()}`,
  );
  process.exit(1);
}

const bin = process.platform === 'win32' ? prefix : path.join(prefix, 'bin');
const onPath = (process.env.PATH ?? '').split(path.delimiter).some((dir) => path.resolve(dir) === bin);
console.log(
  onPath
    ? `Installed spotlight in ${bin}; run "spotlight --help".`
    : `Installed spotlight in ${bin}, which is not on the PATH: add it (export PATH="${bin}:$PATH"), then run "spotlight --help".`,
);
