import { randomUUID } from 'node:crypto';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { SharedRedis } from '../redis/shared-redis';

/** A taken download slot; give it back exactly once, when the download has ended. */
export interface DownloadSlot {
  release(): void;
}

export type DownloadTaken = { slot: DownloadSlot } | { refused: string };

/**
 * How long a slot held in Redis lives without a heartbeat. An instance that is
 * killed mid-download never gives its slots back: they lapse after this, so a
 * crash blocks a customer's downloads for at most a minute. Live downloads
 * renew theirs every third of it, so a missed beat or two loses nothing.
 */
export const SHARED_SLOT_TTL_MS = 60_000;

/** Seconds a refused download is told to wait: about one download's time. */
export const DOWNLOAD_RETRY_AFTER_SECONDS = 5;

/**
 * Bounds the streamed downloads served at once, per customer and in all: each
 * holds a read snapshot (SQLite's only connection, a MariaDB pool connection)
 * and a scratch folder until its client has the workbook. With Redis the
 * bounds hold for all instances together; without it, or while it does not
 * answer, for this instance alone.
 */
export class DownloadLimiter {
  private readonly perCustomer = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly limits: { perCustomer: number; total: number },
    private readonly redis: SharedRedis | null = null,
  ) {}

  /**
   * A slot for a download of `customer`'s workbook, or, over a bound, a 429
   * that says which bound, with Retry-After set on `response`: the one answer
   * every download endpoint gives when the caps are reached.
   */
  async take(
    customer: string,
    response: { setHeader(name: string, value: string): unknown },
  ): Promise<DownloadSlot> {
    const taken = await this.acquire(customer);
    if ('refused' in taken) {
      response.setHeader('Retry-After', String(DOWNLOAD_RETRY_AFTER_SECONDS));
      throw new HttpException(taken.refused, HttpStatus.TOO_MANY_REQUESTS);
    }
    return taken.slot;
  }

  /** A slot, or why there is none. */
  async acquire(customer: string): Promise<DownloadTaken> {
    const shared = await this.acquireShared(customer);
    if (shared && 'refused' in shared) return shared;
    const local = this.acquireLocal(customer, !shared);
    if ('refused' in local || !shared) return local;
    return {
      slot: {
        release: () => {
          local.slot.release();
          shared.slot.release();
        },
      },
    };
  }

  /** Downloads this instance serves now, for tests and health. */
  get inProgress(): number {
    return this.total;
  }

  /** Synchronous, so requests arriving together cannot both pass; `enforce` false: counted only. */
  private acquireLocal(customer: string, enforce: boolean): DownloadTaken {
    const mine = this.perCustomer.get(customer) ?? 0;
    if (enforce && mine >= this.limits.perCustomer) return { refused: refusedForCustomer(mine, customer) };
    if (enforce && this.total >= this.limits.total) return { refused: refusedInAll(this.total) };
    this.perCustomer.set(customer, mine + 1);
    this.total += 1;
    return {
      slot: once(() => {
        this.total -= 1;
        const left = (this.perCustomer.get(customer) ?? 1) - 1;
        if (left > 0) this.perCustomer.set(customer, left);
        else this.perCustomer.delete(customer);
      }),
    };
  }

  /**
   * A slot counted in Redis for all instances, or null when Redis is not set or
   * does not answer (then this instance counts alone). Each slot is a member of
   * two sorted sets (the customer's, everyone's) scored by when it lapses: a
   * transaction of plain commands drops lapsed slots, adds this one and counts,
   * which needs no script; over a bound, the slot is taken back. Two requests
   * racing for the last slot may then both be refused, never both served.
   * Scores are this instance's clock: skew between instances of a few seconds
   * only moves when a crashed instance's slots lapse.
   */
  private async acquireShared(customer: string): Promise<DownloadTaken | null> {
    const redis = this.redis;
    if (!redis?.client) return null;
    const keys = [`downloads:customer:${customer}`, 'downloads:all'];
    const member = randomUUID();
    const lapseAt = () => Date.now() + SHARED_SLOT_TTL_MS;
    const counted = await redis.run('downloads', async (client) => {
      const now = Date.now();
      const replies = await client
        .multi()
        .zremrangebyscore(keys[0], '-inf', now)
        .zremrangebyscore(keys[1], '-inf', now)
        .zadd(keys[0], lapseAt(), member)
        .zadd(keys[1], lapseAt(), member)
        .zcard(keys[0])
        .zcard(keys[1])
        .pexpire(keys[0], SHARED_SLOT_TTL_MS)
        .pexpire(keys[1], SHARED_SLOT_TTL_MS)
        .exec();
      const failed = replies?.find(([error]) => error);
      if (!replies || failed) throw failed?.[0] ?? new Error('the download slot transaction was aborted');
      return { customer: Number(replies[4][1]), all: Number(replies[5][1]) };
    });
    if (!counted.answered) return null;
    const giveBack = () =>
      void redis.run('downloads', (client) =>
        client.multi().zrem(keys[0], member).zrem(keys[1], member).exec(),
      );
    if (counted.value.customer > this.limits.perCustomer) {
      giveBack();
      return { refused: refusedForCustomer(counted.value.customer - 1, customer) };
    }
    if (counted.value.all > this.limits.total) {
      giveBack();
      return { refused: refusedInAll(counted.value.all - 1) };
    }
    const heartbeat = setInterval(
      () =>
        void redis.run('downloads', (client) =>
          client
            .multi()
            .zadd(keys[0], 'XX', lapseAt(), member)
            .zadd(keys[1], 'XX', lapseAt(), member)
            .pexpire(keys[0], SHARED_SLOT_TTL_MS)
            .pexpire(keys[1], SHARED_SLOT_TTL_MS)
            .exec(),
        ),
      SHARED_SLOT_TTL_MS / 3,
    );
    heartbeat.unref();
    return {
      slot: once(() => {
        clearInterval(heartbeat);
        // Not given back (Redis is down): it lapses on its own within SHARED_SLOT_TTL_MS.
        giveBack();
      }),
    };
  }
}

function once(release: () => void): DownloadSlot {
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      release();
    },
  };
}

const refusedForCustomer = (count: number, customer: string) =>
  `${count} download(s) of ${customer} are in progress, the most allowed at once; try again shortly.`;

const refusedInAll = (count: number) =>
  `${count} downloads are in progress, the most this server serves at once; try again shortly.`;
