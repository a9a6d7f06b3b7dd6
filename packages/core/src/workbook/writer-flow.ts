import type { Writable } from 'node:stream';

// How the activity workbook's writer waits: on its output, its sources and the rows it writes.

/**
 * Starts `source` at once (for a query: sends it) instead of on the first
 * read, so its first item is on its way while other work goes on. `close()`
 * ends it, read or not; nothing it fails with goes unhandled meanwhile.
 */
export function startNow<T>(source: AsyncIterable<T>): AsyncIterable<T> & { close(): Promise<void> } {
  const iterator = source[Symbol.asyncIterator]();
  const first = iterator.next();
  first.catch(() => undefined);
  let started = false;
  return {
    async *[Symbol.asyncIterator]() {
      if (started) throw new Error('startNow: the source can be read once');
      started = true;
      for (let next = await first; !next.done; next = await iterator.next()) yield next.value;
    },
    async close() {
      await first.catch(() => undefined);
      await iterator.return?.();
    },
  };
}

/**
 * A promise that rejects when `output` errors, or closes before it finished:
 * a client that went away, a full disk. exceljs would otherwise wait forever
 * for the zip to drain into it, with the export's snapshot left open.
 */
export function watchOutput(output: Writable): {
  failed: Promise<never>;
  throwIfFailed(): void;
  dispose(): void;
} {
  let onError: (error: Error) => void = () => {};
  let onClose = () => {};
  let failure: Error | null = null;
  const failed = new Promise<never>((_resolve, reject) => {
    onError = (error) => {
      failure ??= error;
      reject(error);
    };
    onClose = () => {
      if (output.writableFinished) return;
      failure ??= new Error('The workbook could not be written: its destination closed early.');
      reject(failure);
    };
    output.on('error', onError);
    output.on('close', onClose);
  });
  // Only awaited alongside other work; it must not count as unhandled meanwhile.
  failed.catch(() => undefined);
  return {
    failed,
    // Rows below the zip's backlog limit never wait on `failed`: without this
    // check a gone client would still get every row built, snapshot held open.
    throwIfFailed() {
      if (failure) throw failure;
    },
    dispose() {
      output.off('error', onError);
      output.off('close', onClose);
    },
  };
}

/**
 * Hands every item of `batches` to `write`, in order, and waits only where
 * `write` returns a promise (the zip or the spool is behind). The rows are
 * written by small synchronous functions and this is the only loop that
 * waits: the JIT then optimizes a few small functions. When the whole writer
 * was one async function with its loops inside, V8 optimized it four times at
 * 100k users, each time holding about 5 MB of compiler memory for 50-90 ms:
 * the CLI's peak memory at 100k users, not at 1k.
 */
export async function eachInTurn<T>(
  batches: AsyncIterable<readonly T[]>,
  write: (item: T) => Promise<void> | undefined,
): Promise<void> {
  for await (const batch of batches) {
    for (const item of batch) {
      const wait = write(item);
      if (wait) await wait;
    }
  }
}

export async function* inBatchesOfOne<T>(items: AsyncIterable<T>): AsyncGenerator<readonly T[]> {
  for await (const item of items) yield [item];
}
