import { Utf8Batch } from './utf8-batch';

/** Every Buffer the batch hands out, and what it holds at the end. */
function collect(size: number, pieces: string[]): Buffer[] {
  const batch = new Utf8Batch(size);
  const out: Buffer[] = [];
  for (const piece of pieces) {
    const full = batch.add(piece);
    if (full) out.push(full);
  }
  if (batch.length > 0) out.push(batch.take());
  return out;
}

describe('Utf8Batch', () => {
  it('hands out the pieces encoded, in order, in Buffers no larger than its size', () => {
    const pieces = ['<row r="2">', 'é', '€', '😀', 'plain', '\u{10FFFF}', 'x'.repeat(7), 'ü'.repeat(4)];
    // The longest piece is 11 bytes.
    for (let size = 11; size <= 40; size += 1) {
      const out = collect(size, pieces);
      expect(Buffer.concat(out).toString('utf8')).toBe(pieces.join(''));
      for (const buffer of out) expect(buffer.length).toBeLessThanOrEqual(size);
      // Each Buffer ends where a piece ends: no character, and no piece, is split.
      let joined = '';
      const boundaries = new Set(pieces.map((piece) => Buffer.byteLength((joined += piece))));
      let at = 0;
      for (const buffer of out) expect(boundaries.has((at += buffer.length))).toBe(true);
    }
  });

  it('fills a Buffer as far as the pieces go before handing it out', () => {
    const out = collect(10, ['abcd', 'efgh', 'ij', 'k']);
    expect(out.map((buffer) => buffer.toString())).toEqual(['abcdefghij', 'k']);
  });

  it('counts the bytes of a piece that might not fit: three-byte characters near the end', () => {
    // 3 bytes left; "€" is 3 bytes in one UTF-16 unit, "ab" 2 bytes in two.
    expect(collect(9, ['123456', '€']).map(String)).toEqual(['123456€']);
    expect(collect(9, ['1234567', '€']).map(String)).toEqual(['1234567', '€']);
    expect(collect(9, ['1234567', 'ab']).map(String)).toEqual(['1234567ab']);
  });

  it('hands a piece longer than a whole Buffer out with what came before it', () => {
    const long = 'ä'.repeat(20);
    const out = collect(16, ['head', long, 'tail']);
    expect(out.map(String)).toEqual([`head${long}`, 'tail']);
  });

  it('encodes a lone surrogate as Buffer.from does, as U+FFFD', () => {
    const odd = 'a\ud800b';
    expect(Buffer.concat(collect(4, [odd]))).toEqual(Buffer.from(odd));
    expect(Buffer.concat(collect(64, [odd, odd]))).toEqual(Buffer.from(odd + odd));
  });

  it('takes nothing when nothing was added', () => {
    const batch = new Utf8Batch(8);
    expect(batch.length).toBe(0);
    expect(batch.take()).toHaveLength(0);
  });
});
