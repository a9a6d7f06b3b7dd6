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
 * are held, checked every `everyMs`. malloc keeps the memory those buffers
 * pile up to between two checks, so the check is frequent: at 100k users it
 * takes about 2 MB off the CLI's peak for about 18 collections (figures in
 * packages/bench/README.md, "The buffers collected sooner"). Without `gc`
 * exposed it does nothing.
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
