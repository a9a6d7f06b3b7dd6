import { PassThrough, Readable } from 'node:stream';
import { DatabaseSilentError, forwardRows, readInBatches, withinIdle } from './row-stream';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rows 0..count-1, then silence forever (a stalled database), unless `end` is set. */
function rowsThen(count: number, end: boolean): Readable {
  let next = 0;
  return new Readable({
    objectMode: true,
    read() {
      if (next < count) this.push({ n: next++ });
      else if (end) this.push(null);
    },
  });
}

describe('forwardRows', () => {
  it('fails the reader and closes the connection when the database goes silent', async () => {
    const output = new PassThrough({ objectMode: true });
    const aborted: Error[] = [];
    const started = Date.now();
    const forwarding = forwardRows(rowsThen(3, false), output, {
      idleMs: 200,
      abort: (error) => aborted.push(error),
    });
    const read: unknown[] = [];
    await expect(
      (async () => {
        for await (const row of output) read.push(row);
      })(),
    ).rejects.toBeInstanceOf(DatabaseSilentError);
    await expect(forwarding).rejects.toThrow('sent nothing for 0.2 s');
    expect(read).toHaveLength(3);
    expect(aborted).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('does not count a slow reader as database silence', async () => {
    const output = new PassThrough({ objectMode: true, highWaterMark: 2 });
    const aborted: Error[] = [];
    const forwarding = forwardRows(rowsThen(40, true), output, {
      idleMs: 100,
      abort: (error) => aborted.push(error),
    });
    let read = 0;
    for await (const _row of output) {
      read += 1;
      // The reader holds the rows back far longer than the idle bound.
      if (read % 10 === 0) await sleep(300);
    }
    await forwarding;
    expect(read).toBe(40);
    expect(aborted).toEqual([]);
  });

  it('closes the connection when the reader gives up before the end', async () => {
    const output = new PassThrough({ objectMode: true });
    const aborted: Error[] = [];
    const forwarding = forwardRows(rowsThen(1_000, true), output, {
      idleMs: 5_000,
      abort: (error) => aborted.push(error),
    });
    for await (const _row of output) break;
    await expect(forwarding).rejects.toThrow('stopped reading');
    expect(aborted).toHaveLength(1);
  });
});

describe('withinIdle', () => {
  it('rejects and closes the connection when no answer comes in time', async () => {
    const aborted: Error[] = [];
    await expect(
      withinIdle(new Promise(() => undefined), 100, (error) => aborted.push(error)),
    ).rejects.toThrow(DatabaseSilentError);
    expect(aborted).toHaveLength(1);
  });

  it('passes an answer through', async () => {
    await expect(withinIdle(Promise.resolve(42), 100, () => undefined)).resolves.toBe(42);
  });
});

describe('readInBatches', () => {
  /** Every row, in order, and how many batches they came in. */
  async function readAll(stream: Readable): Promise<{ rows: Array<{ n: number }>; batches: number }> {
    const rows: Array<{ n: number }> = [];
    let batches = 0;
    for await (const batch of readInBatches<{ n: number }>(stream)) {
      batches += 1;
      rows.push(...batch);
    }
    return { rows, batches };
  }

  it('hands over every row once, in order, several at a time, and ends with the stream', async () => {
    const { rows, batches } = await readAll(rowsThen(1_000, true));
    expect(rows.map((row) => row.n)).toEqual(Array.from({ length: 1_000 }, (_, n) => n));
    expect(batches).toBeLessThan(200);
  });

  it('waits for rows that come later, and ends on an empty stream', async () => {
    const output = new PassThrough({ objectMode: true });
    const reading = readAll(output);
    for (let n = 0; n < 3; n += 1) {
      await sleep(5);
      output.write({ n });
    }
    output.end();
    expect((await reading).rows.map((row) => row.n)).toEqual([0, 1, 2]);
    expect((await readAll(rowsThen(0, true))).rows).toEqual([]);
  });

  it('throws what the stream fails with, after the rows that came before', async () => {
    const output = new PassThrough({ objectMode: true });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const batch of readInBatches<{ n: number }>(output)) seen.push(...batch.map((row) => row.n));
    })();
    output.write({ n: 0 });
    await sleep(5);
    output.destroy(new Error('connection lost'));
    await expect(reading).rejects.toThrow('connection lost');
    expect(seen).toEqual([0]);
  });

  it('throws when the stream is closed before its end: a cut-off result is never a whole one', async () => {
    const output = new PassThrough({ objectMode: true });
    const reading = readAll(output);
    output.write({ n: 0 });
    await sleep(5);
    output.destroy();
    await expect(reading).rejects.toThrow(/premature close/i);
  });

  it('lets the reader stop early, leaving no listener behind', async () => {
    const stream = rowsThen(1_000, true);
    const readable = stream.listenerCount('readable');
    for await (const batch of readInBatches(stream)) if (batch.length > 0) break;
    expect(stream.listenerCount('readable')).toBe(readable);
    expect(stream.listenerCount('error')).toBe(0);
  });
});
