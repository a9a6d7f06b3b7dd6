/*
 * Preloaded (`node --require`) into a process the bench runs as a user would:
 * as the process exits, writes its peak resident set size, in bytes, to the
 * file named by SPOTLIGHT_BENCH_RSS_FILE.
 */
import fs from 'node:fs';

const file = process.env.SPOTLIGHT_BENCH_RSS_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
