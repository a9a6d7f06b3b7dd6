import type { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { SharedRedis } from '../redis/shared-redis';

/**
 * The counters of both rate limits (per token, failed authentications per
 * address): in Redis for all instances together when it answers, else in this
 * instance's memory, as without Redis. While Redis is down each instance
 * allows up to the limit on its own; nobody is refused because Redis is.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly local = new ThrottlerStorageService();
  private readonly shared: ThrottlerStorageRedisService | null;

  constructor(private readonly redis: SharedRedis) {
    this.shared = redis.client ? new ThrottlerStorageRedisService(redis.client) : null;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): ReturnType<ThrottlerStorage['increment']> {
    const shared = this.shared;
    if (shared) {
      const counted = await this.redis.run('rate-limits', () =>
        shared.increment(key, ttl, limit, blockDuration, throttlerName),
      );
      if (counted.answered) return counted.value;
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    // The Redis connection is SharedRedis's to close; the memory counters' timers are ours.
    this.local.onApplicationShutdown();
  }
}
