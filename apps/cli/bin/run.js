#!/usr/bin/env -S node --max-semi-space-size=1
// A small young generation: an export allocates short-lived objects and
// strings for every row, and V8 would otherwise grow its nursery to 32 MB for
// them (about 10 MB of the CLI's peak memory at 10k users).
require('@oclif/core/execute')
  .execute({ dir: __dirname })
  .catch((error) => {
    // Only reached when oclif itself fails to load; commands handle their own errors.
    console.error(`Error: ${error && error.message ? error.message : error}`);
    process.exitCode = 1;
  });
