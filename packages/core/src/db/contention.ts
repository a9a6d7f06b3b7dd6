/**
 * Errors that say "another transaction was in the way, try again": MySQL's
 * deadlock victim (1213) and lock-wait timeout (1205), and SQLite's busy
 * database once its busy_timeout has passed.
 */
export function isContention(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return (
    code === 'ER_LOCK_DEADLOCK' ||
    code === 'ER_LOCK_WAIT_TIMEOUT' ||
    errno === 1213 ||
    errno === 1205 ||
    (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))
  );
}

export interface ContentionRetry {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait before the second try; it doubles after each further one, with jitter. */
  baseMs: number;
}

export const DEFAULT_CONTENTION_RETRY: ContentionRetry = { attempts: 5, baseMs: 25 };

/**
 * Runs `work` again when the database gave it up to contention (a deadlock,
 * a lock-wait timeout, a busy SQLite file), a bounded number of times with a
 * short jittered backoff, so that two instances that collided do not collide
 * again in step. Any other error, and the last contention, are thrown as is.
 * `work` must be safe to run again: one statement, or one whole transaction.
 */
export async function retryOnContention<T>(
  work: () => PromiseLike<T>,
  retry: ContentionRetry = DEFAULT_CONTENTION_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isContention(error) || attempt >= retry.attempts) throw error;
      const wait = retry.baseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
