/**
 * Pieces of text encoded, as they come, into Buffers of a fixed size, to be
 * written out a Buffer at a time.
 *
 * Joining the pieces into one string first keeps each piece alive in V8's
 * heap until the string is written, and then builds the string and its
 * Buffer too: at 100k users the export's row strings outlived the young
 * generation, and its 32-64K strings fragmented the old one. Encoded at once,
 * a piece is garbage as soon as it is added, and the batch lives outside the
 * heap.
 */
export class Utf8Batch {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Bytes added and not yet taken. */
  get length(): number {
    return this.used;
  }

  /**
   * Adds `text`. When it does not fit in what is left of the current Buffer,
   * returns what that Buffer holds, to be written out, and starts the next
   * one with `text`. Text longer than a whole Buffer is returned with it.
   */
  add(text: string): Buffer | undefined {
    const room = this.buffer.length - this.used;
    // A UTF-16 code unit is at most 3 bytes of UTF-8: most pieces need no count.
    const bytes = text.length * 3 <= room ? 0 : Buffer.byteLength(text);
    if (bytes <= room) {
      this.used += this.buffer.write(text, this.used);
      return undefined;
    }
    const full = this.take();
    if (bytes > this.size) return Buffer.concat([full, Buffer.from(text)]);
    this.used = this.buffer.write(text, 0);
    return full;
  }

  /** What the batch holds, and a new Buffer for what follows. */
  take(): Buffer {
    const taken = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(this.size);
    this.used = 0;
    return taken;
  }
}
