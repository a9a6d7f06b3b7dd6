/** Above this much memory held by Buffers and ArrayBuffers, a full collection runs. */
export const DEFAULT_LIMIT_BYTES = 4 * 2 ** 20;
/** How often the memory held by buffers is checked. */
export const DEFAULT_EVERY_MS = 50;

/**
 * V8 frees a Buffer's memory only when it collects the Buffer object. An
 * export's buffers (socket chunks, sheet XML, deflate output, the mail's
 * base64) often outlive a scavenge of the CLI's 1 MB young generation, and
 * then wait for a full collection, which V8 starts by itself only once about
 * 64 MB of such memory has piled up: one export in three at 100k users peaked
 * 50 MB higher than the others for that alone. With `--expose-gc` (the CLI's
 * first line) this runs a full collection as soon as more than `limitBytes`
 * are held, checked every `everyMs`. The memory those buffers leave behind
 * stays with the process (malloc keeps it), so what counts is how high they
 * pile up between two checks: at 100k users, 4 MB checked every 50 ms peaked
 * at 92.5-94.7 MB on MariaDB and 94.5-95.3 on SQLite, against 96.0-96.8 and
 * 96.6-97.7 with 16 MB every 200 ms (which never ran one), for about 18
 * collections of 15-20 ms each: 0.3 s of CPU, 3% of the export's time. 8 MB
 * every 50 ms, or 4 MB every 200 ms, gained nothing; 2 MB every 50 ms gained
 * 1 MB more for twice the collections. At 1k users nothing changes (86-88
 * MB). Without `gc` exposed it does nothing.
 *
 * Returns the function that stops it.
 */
export function collectBuffersAbove(
  limitBytes = DEFAULT_LIMIT_BYTES,
  everyMs = DEFAULT_EVERY_MS,
): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return () => undefined;
  const timer = setInterval(() => {
    if (process.memoryUsage().arrayBuffers > limitBytes) gc();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * A full collection now, where `gc` is exposed: the workbook's garbage is
 * gone before the email's buffers (the attachment, its base64) are made, so
 * the two do not add up. One collection, a few milliseconds.
 */
export function collectNow(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
