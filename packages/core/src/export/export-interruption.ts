import { DeliveryUnconfirmedError, ExportInterruptedError } from '../errors';

/** `items` until `signal` aborts: the next item then fails the build, and its database stream is closed. */
export async function* untilAborted<T>(
  items: AsyncIterable<T>,
  signal: AbortSignal | undefined,
): AsyncIterable<T> {
  for await (const item of items) {
    signal?.throwIfAborted();
    yield item;
  }
}

/**
 * What a failure is once `signal` stopped the export: interrupted, with
 * nothing sent, unless the whole message had reached the mail server.
 */
export function interrupted(error: unknown, signal: AbortSignal | undefined): unknown {
  if (
    !signal?.aborted ||
    error instanceof DeliveryUnconfirmedError ||
    error instanceof ExportInterruptedError
  )
    return error;
  const reason = typeof signal.reason === 'string' ? signal.reason : 'aborted';
  return new ExportInterruptedError(reason, { cause: error });
}
