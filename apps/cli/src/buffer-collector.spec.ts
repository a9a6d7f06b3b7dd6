import { DEFAULT_EVERY_MS, DEFAULT_LIMIT_BYTES, collectBuffersAbove, collectNow } from './buffer-collector';

const MB = 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const realUsage = process.memoryUsage.bind(process);

describe('collectBuffersAbove', () => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  afterEach(() => {
    (globalThis as { gc?: () => void }).gc = exposed;
  });

  it('runs a full collection while more than the limit is held in buffers, and stops when told', async () => {
    const gc = jest.fn();
    (globalThis as { gc?: () => void }).gc = gc;
    const held = process.memoryUsage().arrayBuffers;
    const stop = collectBuffersAbove(held + 4 * MB, 10);
    await sleep(60);
    expect(gc).not.toHaveBeenCalled();

    // 4 MB over the limit, whatever the rest of this process's buffers did meanwhile (V8 may have
    // freed some of those counted at the start: a fixed 8 MB then stayed under the limit, on Node 24).
    const buffers = [Buffer.alloc(Math.max(8 * MB, held + 8 * MB - process.memoryUsage().arrayBuffers))];
    // A busy machine may delay the 10 ms timer: wait for the call, for up to 5 s.
    for (const started = Date.now(); gc.mock.calls.length === 0 && Date.now() - started < 5_000;)
      await sleep(10);
    expect(gc).toHaveBeenCalled();

    stop();
    const calls = gc.mock.calls.length;
    await sleep(60);
    expect(gc.mock.calls.length).toBe(calls);
    expect(buffers[0].length).toBeGreaterThanOrEqual(8 * MB);
  });

  it('by default, checks every 50 ms and collects once more than 4 MB is held', () => {
    expect({ limit: DEFAULT_LIMIT_BYTES / MB, every: DEFAULT_EVERY_MS }).toEqual({ limit: 4, every: 50 });
    const gc = jest.fn();
    (globalThis as { gc?: () => void }).gc = gc;
    let held = 4 * MB;
    const usage = jest
      .spyOn(process, 'memoryUsage')
      .mockImplementation(() => ({ ...realUsage(), arrayBuffers: held }));
    jest.useFakeTimers();
    try {
      const stop = collectBuffersAbove();
      jest.advanceTimersByTime(200);
      expect(gc).not.toHaveBeenCalled();

      held += 1;
      jest.advanceTimersByTime(49);
      expect(gc).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(gc).toHaveBeenCalledTimes(1);
      stop();
    } finally {
      jest.useRealTimers();
      usage.mockRestore();
    }
  });

  it('does nothing where gc is not exposed: no timer keeps watching', () => {
    delete (globalThis as { gc?: () => void }).gc;
    jest.useFakeTimers();
    try {
      const stop = collectBuffersAbove(0, 10);
      expect(jest.getTimerCount()).toBe(0);
      stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('collects once, now, where gc is exposed, and does nothing where it is not', () => {
    const gc = jest.fn();
    (globalThis as { gc?: () => void }).gc = gc;
    collectNow();
    expect(gc).toHaveBeenCalledTimes(1);
    delete (globalThis as { gc?: () => void }).gc;
    expect(() => collectNow()).not.toThrow();
  });
});
