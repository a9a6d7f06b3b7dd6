/*
 * Preloaded (`node --require`) into a process the bench runs as a user would:
 * as the process exits, writes its peak resident set size, in bytes, to the
 * file named by SPOTLIGHT_BENCH_RSS_FILE, unless a process of the same run
 * wrote a higher one (the CLI restarts itself once with its memory settings,
 * and the first process, which only waits, exits last).
 */
import fs from 'node:fs';

const file = process.env.SPOTLIGHT_BENCH_RSS_FILE;
if (file)
  process.on('exit', () => {
    const peak = process.resourceUsage().maxRSS * 1024;
    const written = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : 0;
    if (peak > written) fs.writeFileSync(file, String(peak));
  });
