#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=1 --max-old-space-size=128 --no-concurrent-recompilation --expose-gc
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
// Hot functions optimized on the main thread, one at a time: compiled on a
// helper thread, several compilations' working memory is held at once and
// left in malloc's free lists (3-5 MB of peak RSS at 10k and 100k users on
// MariaDB, at the same CPU time).
// gc exposed: an export runs a full collection once its buffers hold 4 MB
// (checked every 50 ms), instead of V8's 64 MB, and one before the email is
// built (src/buffer-collector.ts).
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
