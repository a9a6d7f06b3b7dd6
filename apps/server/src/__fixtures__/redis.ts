import { spawnSync } from 'node:child_process';
import type { Requirement } from '@spotlight/testing';

/** This machine's Redis; tests reach it through a TcpProxy of their own and never stop it. */
export const TEST_REDIS = { host: '127.0.0.1', port: 6379 };

// Generous bounds: where Redis is required, a slow start of this probe must not pass for a missing Redis.
const PING = `const s = require('node:net').connect(${TEST_REDIS.port}, '${TEST_REDIS.host}');
s.setTimeout(3000, () => process.exit(1));
s.on('error', () => process.exit(1));
s.on('connect', () => s.write('PING\\r\\n'));
s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));`;

/** Redis answering a PING, for the suites of limits shared through it; CI requires it (SPOTLIGHT_REQUIRE_REDIS=1). */
export const REDIS: Requirement = {
  missing: `Redis is not answering at ${TEST_REDIS.host}:${TEST_REDIS.port}`,
  requireEnv: 'SPOTLIGHT_REQUIRE_REDIS',
  available: () => spawnSync(process.execPath, ['-e', PING], { timeout: 10_000 }).status === 0,
};
