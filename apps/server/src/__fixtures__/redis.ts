import { spawnSync } from 'node:child_process';

/** This machine's Redis; tests reach it through a TcpProxy of their own and never stop it. */
export const TEST_REDIS = { host: '127.0.0.1', port: 6379 };

const PING = `const s = require('node:net').connect(${TEST_REDIS.port}, '${TEST_REDIS.host}');
s.setTimeout(1000, () => process.exit(1));
s.on('error', () => process.exit(1));
s.on('connect', () => s.write('PING\\r\\n'));
s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));`;

/**
 * Whether the Redis suites run: always when SPOTLIGHT_REQUIRE_REDIS=1 (CI, where
 * a missing Redis must fail them), else only when Redis answers a PING.
 * Synchronous, because jest decides which suites exist before running any.
 */
export function redisRequired(): boolean {
  if (process.env.SPOTLIGHT_REQUIRE_REDIS === '1') return true;
  const ping = spawnSync(process.execPath, ['-e', PING], { timeout: 3_000 });
  if (ping.status === 0) return true;
  console.warn(
    `Redis is not answering at ${TEST_REDIS.host}:${TEST_REDIS.port}; skipping the shared-limits suite (SPOTLIGHT_REQUIRE_REDIS=1 makes that a failure)`,
  );
  return false;
}
