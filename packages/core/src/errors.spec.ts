import { AmbiguousCustomerError } from './errors';
import { formatBytes } from './text/bytes';

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

describe('AmbiguousCustomerError', () => {
  it('echoes the stored domains quoted, escaped and cut like any other echo, on one line', () => {
    const stored = ['Twin.example.com\r\nBcc: x@evil.test', `TWIN.example.com"${'x'.repeat(80)}`];
    const { message } = new AmbiguousCustomerError('twin.example.com', stored);
    expect(message).toBe(
      `2 customers have the domain "twin.example.com" but for case ("Twin.example.com\\r\\nBcc: x@evil.test", "TWIN.example.com\\"${'x'.repeat(43)}…"); nothing was done: make their django_site.domain differ by more than case.`,
    );
    expect(message).not.toMatch(/[\r\n]/);
  });
});
