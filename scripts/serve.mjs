// The console on the demo data: migrates and seeds the embedded SQLite
// database (as `pnpm demo` does, without resetting it), creates a staff token,
// starts the server and prints where to open the console and the token to
// sign in with. Like the demo it ignores DATABASE_URL and SMTP_URL: it must
// never serve a real database or mail real people (mail goes to the outbox).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'apps', 'cli', 'bin', 'run.js');
const server = path.join(root, 'apps', 'server', 'dist', 'main.js');
const consoleIndex = path.join(root, 'apps', 'web', 'dist', 'index.html');

const env = { ...process.env };
for (const name of [
  'DATABASE_URL',
  'DATABASE_READ_URL',
  'SMTP_URL',
  'SPOTLIGHT_DATA_DIR',
  'SPOTLIGHT_OUTBOX_DIR',
]) {
  delete env[name];
}
const port = env.PORT || '3000';

for (const [file, what] of [
  [cli, 'the CLI'],
  [server, 'the server'],
  [consoleIndex, 'the console'],
]) {
  if (!fs.existsSync(file)) {
    console.error(`Error: ${what} is not built; run "npx pnpm@10.34.9 serve", which builds it first.`);
    process.exit(1);
  }
}

/** Runs `spotlight <args>` quietly; stops with its message when it fails. */
function spotlight(args) {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(`"spotlight ${args.join(' ')}" failed: ${(run.stderr || run.stdout).trim()}`);
    process.exit(run.status || 1);
  }
  return run.stdout.trim();
}

spotlight(['db', 'migrate']);
spotlight(['db', 'seed', '--demo']);
const token = spotlight(['token', 'create', '--staff', '--label', 'console (pnpm serve)']);

const child = spawn(process.execPath, [server], {
  cwd: root,
  env: { ...env, PORT: port, SPOTLIGHT_LOG_LEVEL: env.SPOTLIGHT_LOG_LEVEL || 'warn' },
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

const url = `http://${env.HOST || '127.0.0.1'}:${port}`;
const deadline = Date.now() + 30_000;
for (;;) {
  try {
    if ((await fetch(`${url}/health/live`)).ok) break;
  } catch {
    // not listening yet
  }
  if (Date.now() > deadline || child.exitCode !== null) {
    console.error(`The server did not answer at ${url} within 30 s.`);
    child.kill('SIGTERM');
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
console.log(`\nThe console is at ${url}/ (the API's docs at ${url}/docs), on the demo database.`);
console.log(
  `Sign in with this staff token (shown once; revoke it with "spotlight token revoke"):\n\n  ${token}\n`,
);
console.log('Exports are mailed to the outbox folder, not to anyone. Stop with Ctrl+C.');
