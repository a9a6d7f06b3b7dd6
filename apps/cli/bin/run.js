#!/usr/bin/env node
require('@oclif/core/execute')
  .execute({ dir: __dirname })
  .catch((error) => {
    // Only reached when oclif itself fails to load; commands handle their own errors.
    console.error(`Error: ${error && error.message ? error.message : error}`);
    process.exitCode = 1;
  });
