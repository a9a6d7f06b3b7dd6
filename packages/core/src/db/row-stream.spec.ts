import { PassThrough, Readable } from 'node:stream';
import { DatabaseSilentError, forwardRows, withinIdle } from './row-stream';

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
