import { finished, type Readable, type Writable } from 'node:stream';

/** The code of {@link DatabaseSilentError}; core's error explanations treat it as a lost connection. */
export const DATABASE_SILENT = 'DATABASE_SILENT';

/** The database sent nothing for longer than the idle bound while a row or an answer was awaited. */
export class DatabaseSilentError extends Error {
  readonly code = DATABASE_SILENT;
  constructor(readonly idleMs: number) {
    super(
      `the database sent nothing for ${formatSeconds(idleMs)} (SPOTLIGHT_DB_IDLE_TIMEOUT_MS) and its connection was closed`,
    );
    this.name = 'DatabaseSilentError';
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

export interface ForwardRowsOptions {
  /** How long the database may stay silent while rows are wanted. */
  idleMs: number;
  /**
   * Called once when the rows stop before their end (the database went
   * silent or away, or the reader gave up): the connection is mid-result and
   * must be closed, or the statements queued behind it would wait forever.
   */
  abort(error: Error): void;
}

/**
 * Copies a driver's row stream into knex's output stream and settles when the
 * rows end. It fails the output (and rejects) when `source` fails, when the
 * reader closes the output early, or when the database is silent for
 * `idleMs`. Silence counts only while the output has room for rows: a slow
 * reader holding the rows back is not the database's fault, so the clock
 * stops while the output pushes back and starts again when it drains.
 */
export function forwardRows(source: Readable, output: Writable, options: ForwardRowsOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const stopClock = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    // Called for every row: rearm the one timer rather than allocate a new one each time.
    const startClock = () => {
      if (timer) timer.refresh();
      else timer = setTimeout(() => fail(new DatabaseSilentError(options.idleMs)), options.idleMs);
    };
    const cleanup = () => {
      stopClock();
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', fail);
      output.off('drain', onDrain);
      output.off('close', onOutputClosed);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      options.abort(error);
      source.destroy();
      if (!output.destroyed) output.destroy(error);
      reject(error);
    };
    const onData = (row: unknown) => {
      if (settled) return;
      if (output.write(row)) {
        startClock();
      } else {
        stopClock();
        source.pause();
      }
    };
    const onDrain = () => {
      if (settled) return;
      source.resume();
      startClock();
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      output.end();
      resolve();
    };
    const onOutputClosed = () => fail(new Error('The reader stopped reading the rows before their end'));
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', fail);
    output.on('drain', onDrain);
    output.once('close', onOutputClosed);
    startClock();
  });
}

/**
 * Resolves as `answer` does, unless the database stays silent for `idleMs`
 * first: then `abort` closes the connection and it rejects with {@link DatabaseSilentError}.
 */
export function withinIdle<T>(answer: Promise<T>, idleMs: number, abort: (error: Error) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DatabaseSilentError(idleMs);
      abort(error);
      reject(error);
    }, idleMs);
  });
  return Promise.race([answer, silence]).finally(() => clearTimeout(timer));
}

/**
 * A row stream's rows, handed over as many at a time as the stream holds.
 * `for await` over the stream itself costs a promise and a turn of the
 * microtask queue for every row (and, with the query counter's async context,
 * a hook call for each promise): at 100k users, about a quarter of the time
 * Node spent on the activity rows (1.9 s to 1.4 s). Ends when the stream
 * ends; throws what the stream fails with, or if it is closed before its end.
 */
export async function* readInBatches<T>(stream: Readable): AsyncGenerator<T[]> {
  let outcome: { error?: Error } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const stopWatching = finished(stream, { writable: false }, (error) => {
    outcome = { error: error ?? undefined };
    notify();
  });
  stream.on('readable', notify);
  try {
    for (;;) {
      const batch: T[] = [];
      for (let row = stream.read() as T | null; row !== null; row = stream.read() as T | null)
        batch.push(row);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (outcome?.error) throw outcome.error;
      if (outcome) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('readable', notify);
    stopWatching();
  }
}
