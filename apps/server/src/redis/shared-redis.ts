import { once } from 'node:events';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { firstLine } from '@spotlight/core';
import type { ServerSettings } from '../config/server.settings';
import { within } from '../health/within';

/** What a Redis command counts; the label of the outage metric. */
export type SharedCount = 'rate-limits' | 'downloads';
const COUNTS: readonly SharedCount[] = ['rate-limits', 'downloads'];

/** An outage is told in the log at most this often, per count; the metric counts every fallback. */
const WARN_EVERY_MS = 60_000;
/** The longest reconnection pause: Redis back means limits shared again within about this. */
const RECONNECT_MAX_MS = 2_000;

/** A Redis command's answer, or `unavailable` when there is no Redis or it did not answer. */
export type Shared<T> = { answered: true; value: T } | { answered: false };

export interface SharedRedisOptions {
  registry: Registry;
  clock?: () => number;
}

/**
 * The Redis that all instances count their rate limits and download slots in
 * (SPOTLIGHT_REDIS_URL), or none. Redis must never stop a request: commands
 * fail at once while it is disconnected (no offline queue) and after
 * `timeoutMs` when it hangs, and the caller then counts in this instance's
 * memory, as without Redis (fail open). Each such fallback is counted in
 * `spotlight_redis_unavailable_total{use}` and warned about once a minute.
 */
export class SharedRedis implements OnModuleInit, OnApplicationShutdown {
  /** Null without SPOTLIGHT_REDIS_URL: every count is this instance's own. */
  readonly client: Redis | null;
  private readonly logger = new Logger('Redis');
  private readonly unavailable: Counter<'use'>;
  private readonly clock: () => number;
  private readonly lastWarnedAt = new Map<SharedCount, number>();
  private readonly down = new Set<SharedCount>();

  constructor(
    private readonly settings: ServerSettings['redis'],
    options: SharedRedisOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.unavailable = new Counter({
      name: 'spotlight_redis_unavailable_total',
      help: 'Limit checks that Redis did not answer, so this instance counted them alone (fail open), by use (rate-limits, downloads).',
      labelNames: ['use'],
      registers: [options.registry],
    });
    for (const use of COUNTS) this.unavailable.inc({ use }, 0);
    this.client = settings
      ? new Redis(settings.url, {
          keyPrefix: settings.keyPrefix,
          // A request must never wait for a Redis that is down or hung.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: settings.timeoutMs,
          commandTimeout: settings.timeoutMs,
          retryStrategy: (attempt) => Math.min(attempt * 100, RECONNECT_MAX_MS),
          lazyConnect: true,
        })
      : null;
    // Failed commands are reported where they fail; the connection's own errors would only repeat them.
    this.client?.on('error', () => undefined);
  }

  /** The target, with any password masked, for the log. */
  get target(): string | null {
    if (!this.settings) return null;
    const url = new URL(this.settings.url);
    if (url.password) url.password = '***';
    return url.toString();
  }

  /** Connects at start, waiting at most the timeout: a Redis that is down does not stop the server. */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client || !this.settings) return;
    client.connect().catch(() => undefined);
    try {
      await within(once(client, 'ready'), this.settings.timeoutMs * 4, `Redis at ${this.target}`);
      this.logger.log(`rate limits and download caps are counted in ${this.target} for all instances`);
    } catch (error) {
      this.logger.warn(
        `${this.target} did not answer at start (${describe(error)}): each instance counts its own limits until it does`,
      );
    }
  }

  /**
   * Runs `command` on Redis; when there is no Redis, or it fails or does not
   * answer in time, reports it and returns `answered: false` so that the
   * caller counts in memory.
   */
  async run<T>(use: SharedCount, command: (client: Redis) => Promise<T>): Promise<Shared<T>> {
    if (!this.client) return { answered: false };
    try {
      const value = await command(this.client);
      if (this.down.delete(use)) this.logger.log(`${this.target} answers again: ${use} are shared again`);
      return { answered: true, value };
    } catch (error) {
      this.report(use, error);
      return { answered: false };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'end') return;
    await within(client.quit(), this.settings!.timeoutMs, 'Redis')
      .catch(() => undefined)
      .finally(() => client.disconnect());
  }

  private report(use: SharedCount, error: unknown): void {
    this.unavailable.inc({ use });
    this.down.add(use);
    const now = this.clock();
    const last = this.lastWarnedAt.get(use);
    if (last !== undefined && now - last < WARN_EVERY_MS) return;
    this.lastWarnedAt.set(use, now);
    this.logger.warn(
      `${this.target} did not answer (${describe(error)}): ${use} are counted by this instance alone until it does; requests are still served`,
    );
  }
}

const describe = (error: unknown) => firstLine(error instanceof Error ? error.message : String(error));
