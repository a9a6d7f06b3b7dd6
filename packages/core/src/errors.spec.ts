import { formatBytes } from './errors';

describe('formatBytes', () => {
  it('speaks binary units, the one unit of every message', () => {
    expect([0, 1023, 1024, 7475, 1024 * 1024, 20 * 1024 * 1024].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '7.3 KiB',
      '1.0 MiB',
      '20.0 MiB',
    ]);
  });
});
