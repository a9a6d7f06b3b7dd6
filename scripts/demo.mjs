// The demo, end to end, through the real `spotlight` binary (build it first:
// `pnpm demo` does). It uses the embedded default database, the SQLite file
// data/spotlight.sqlite, and resets it first so that every run starts fresh;
// afterwards `pnpm spotlight export user-activity ...` works on the demo data.
// DATABASE_URL, SMTP_URL and the data/outbox folder settings are ignored here
// on purpose: the demo must never seed a real database or mail real people.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'apps', 'cli', 'bin', 'run.js');
const dataDir = path.join(root, 'data');
const workbook = path.join('data', 'demo', 'user-activity-example.com.xlsx');

const env = { ...process.env };
const ignored = ['DATABASE_URL', 'SMTP_URL', 'SPOTLIGHT_DATA_DIR', 'SPOTLIGHT_OUTBOX_DIR'].filter(
  (name) => env[name],
);
for (const name of ignored) delete env[name];
if (ignored.length)
  console.log(`(ignoring ${ignored.join(', ')}: the demo always uses the embedded database and the outbox)`);

if (!fs.existsSync(path.join(root, 'apps', 'cli', 'dist', 'commands'))) {
  console.error('Error: the CLI is not built; run "pnpm demo", which builds it first.');
  process.exit(1);
}

for (const suffix of ['', '-wal', '-shm', '-journal']) {
  fs.rmSync(path.join(dataDir, `spotlight.sqlite${suffix}`), { force: true });
}

/** Runs `spotlight <args>`, echoing its output; stops the demo when it fails. */
function spotlight(args) {
  console.log(`\n$ spotlight ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(run.stdout ?? '');
  if (run.status !== 0) {
    console.error(
      `\nThe demo stopped: "spotlight ${args.join(' ')}" exited with ${run.status ?? run.signal}.`,
    );
    process.exit(run.status || 1);
  }
  return run.stdout;
}

spotlight(['db', 'migrate']);
spotlight(['db', 'seed', '--demo']);
const output = spotlight([
  'export',
  'user-activity',
  '-c',
  'example.com',
  '-e',
  'manager@example.com',
  '--out',
  workbook,
]);

const eml = /written to (\S+\.eml)$/m.exec(output)?.[1];
const xlsx = /^Workbook saved to (.+)$/m.exec(output)?.[1];
if (!eml || !xlsx) {
  console.error('\nThe demo could not find the paths of the email and the workbook in the output above.');
  process.exit(1);
}
console.log(`\nDone. The manager's email and the workbook it carries:`);
console.log(`  email:    ${eml}`);
console.log(`  workbook: ${xlsx}`);
console.log(
  `\nThe same data in the admin console: "npx pnpm@10.34.9 serve" starts the server on it and prints the URL and a staff token to sign in with.`,
);
