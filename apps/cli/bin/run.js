#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=1 --max-old-space-size=128 --expose-gc
// The CLI's memory settings, in force however it is started. Started as
// `spotlight` (npm's link) or `apps/cli/bin/run.js` (what `pnpm spotlight`
// runs), the shebang above gives them (`env -S`: GNU coreutils 8.30+, macOS,
// the BSDs). Started any other way (`node apps/cli/bin/run.js`, a wrapper), they
// are missing: V8 takes its heap sizes only at start (v8.setFlagsFromString
// leaves heap_size_limit and the young generation as they were: 113 MB peak
// at 1k users, as without them) and glibc reads MALLOC_ARENA_MAX only at
// start, so this process then starts the CLI once more with them and only
// relays: signals in, exit code out, stdio shared. NODE_FLAGS below and the
// shebang are the same list (apps/cli/src/start.e2e-spec.ts checks both ways).
// Measured in packages/bench/README.md ("One CLI however it is started").
//
// A small young generation: an export allocates short-lived objects and
// strings for every row, and V8 would otherwise grow its nursery to 32 MB for
// them (about 10 MB of the CLI's peak memory at 10k users).
// One malloc arena: the buffers of the driver's socket, the zip's deflate
// (on libuv's threads) and the files otherwise spread over an arena per thread,
// each keeping freed memory of its own (about 8 MB of peak RSS at 10k users).
// A 128 MB old generation, four times what an export keeps alive at any
// size: V8 sizes its collections by the limit, and with its default (GBs
// here) let the heap and the dead buffers grow by 5-10 MB more before
// collecting (at 10k and 100k users on MariaDB, 106-109 MB against 100-104).
// Not --no-concurrent-recompilation (optimizing on the main thread): it saved
// 0-1 MB of peak RSS at 1k and 100k users on SQLite and made a 1k export 20 % slower.
// gc exposed: an export runs a full collection once its buffers hold 4 MB
// (checked every 50 ms), instead of V8's 64 MB, and one before the email is
// built (src/buffer-collector.ts).
const os = require('node:os');

const NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=128', '--expose-gc'];
const MALLOC_ARENA_MAX = '1';
// The signals a shell or a supervisor sends to stop a command (kill -9 cannot be relayed: see runHere).
const RELAYED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
// Set on the one restart only, so that it can never loop.
const RESTARTED = 'SPOTLIGHT_CLI_RESTARTED';

const settingsInForce =
  process.env.MALLOC_ARENA_MAX === MALLOC_ARENA_MAX &&
  NODE_FLAGS.every((flag) => process.execArgv.includes(flag));

const restarted = process.env[RESTARTED] === '1';
delete process.env[RESTARTED];
if (settingsInForce || restarted) {
  runHere();
} else {
  restartWithSettings();
}

function runHere() {
  if (restarted && process.channel) {
    // Started by restartWithSettings(): the channel tells when that process is gone (kill -9),
    // and the CLI then goes with it, as one process would; it never keeps the CLI running.
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    // Ctrl-C reaches both processes (one process group) and the first relays it as well: a
    // signal counts once. With a command's handler listening it does the work; without one
    // the CLI stops as Node would, with 128 + the signal's number.
    for (const signal of RELAYED) {
      process.on(signal, () => {
        if (process.listenerCount(signal) === 1) process.exit(128 + os.constants.signals[signal]);
      });
    }
  }
  // No user-installed plugins: oclif would look for them in <BIN>_DATA_DIR,
  // which is this product's SPOTLIGHT_DATA_DIR, and warn when that is not a
  // folder it can read.
  require('@oclif/core/execute')
    .execute({ loadOptions: { root: __dirname, userPlugins: false } })
    .catch((error) => {
      // Only reached when oclif itself fails to load; commands handle their own errors.
      console.error(`Error: ${error && error.message ? error.message : error}`);
      process.exitCode = 1;
    });
}

function restartWithSettings() {
  const { spawn } = require('node:child_process');
  const execArgv = [...process.execArgv.filter((flag) => !NODE_FLAGS.includes(flag)), ...NODE_FLAGS];
  const child = spawn(process.execPath, [...execArgv, __filename, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, MALLOC_ARENA_MAX, [RESTARTED]: '1' },
  });
  const relay = (signal) => child.kill(signal);
  for (const signal of RELAYED) process.on(signal, relay);
  child.on('error', (error) => {
    console.error(`Error: could not start ${process.execPath}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const relayed of RELAYED) process.off(relayed, relay);
    // Ended by a signal: end the same way, so that a shell sees what it would have seen.
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
