import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { TcpProxy } from '@spotlight/testing';
import { SharedRedis } from './shared-redis';

describe('SharedRedis', () => {
  let proxy: TcpProxy;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    // A Redis that is down: every connection is refused.
    proxy = await TcpProxy.start({ port: 6379 });
    proxy.refuseNew();
  });
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());
  afterAll(async () => {
    await proxy.stop();
  });

  function sharedRedis(clock: () => number): { redis: SharedRedis; registry: Registry } {
    const registry = new Registry();
    const redis = new SharedRedis(
      { url: `redis://:secret@127.0.0.1:${proxy.port}`, keyPrefix: 'spotlight-test:', timeoutMs: 200 },
      { registry, clock },
    );
    return { redis, registry };
  }

  const unavailable = async (registry: Registry, use: string) =>
    (await registry.getSingleMetric('spotlight_redis_unavailable_total')!.get()).values.find(
      (value) => value.labels.use === use,
    )?.value;

  it('answers at once when Redis is down, counts every fallback, and warns once a minute per use', async () => {
    let now = 0;
    const { redis, registry } = sharedRedis(() => now);
    await redis.onModuleInit();
    warn.mockClear();
    try {
      const ask = () => redis.run('rate-limits', (client) => client.get('k'));
      const started = Date.now();
      expect(await ask()).toEqual({ answered: false });
      expect(Date.now() - started).toBeLessThan(1_000);
      now = 59_000;
      expect(await ask()).toEqual({ answered: false });
      expect(warn).toHaveBeenCalledTimes(1);
      now = 60_000;
      await ask();
      expect(warn).toHaveBeenCalledTimes(2);
      await redis.run('downloads', (client) => client.get('k'));
      expect(warn).toHaveBeenCalledTimes(3);
      expect(String(warn.mock.calls[2][0])).toMatch(/downloads are counted by this instance alone/);
      // The password is not logged.
      expect(String(warn.mock.calls[0][0])).toContain(`redis://:***@127.0.0.1:${proxy.port}`);
      expect(await unavailable(registry, 'rate-limits')).toBe(3);
      expect(await unavailable(registry, 'downloads')).toBe(1);
    } finally {
      await redis.onApplicationShutdown();
    }
  });

  it('asks nothing and counts nothing without SPOTLIGHT_REDIS_URL', async () => {
    const registry = new Registry();
    const redis = new SharedRedis(undefined, { registry });
    await redis.onModuleInit();
    expect(redis.client).toBeNull();
    expect(await redis.run('rate-limits', () => Promise.resolve('never'))).toEqual({ answered: false });
    expect(await unavailable(registry, 'rate-limits')).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });
});
