import { parseBound } from '../export/export.request';
import { fromWallClock, toWallClock } from './zoned-time';

const iso = (date: Date | undefined) => date?.toISOString();

describe('fromWallClock', () => {
  it('gives the instant a zone shows that time, either side of a change of offset', () => {
    expect(iso(fromWallClock({ year: 2026, month: 3, day: 1 }, 'Europe/Paris'))).toBe(
      '2026-02-28T23:00:00.000Z',
    );
    expect(iso(fromWallClock({ year: 2026, month: 7, day: 1 }, 'Europe/Paris'))).toBe(
      '2026-06-30T22:00:00.000Z',
    );
    // 02:30 happens twice in Paris that night: the earlier one.
    expect(iso(fromWallClock({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Paris'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('starts a day whose midnight the clock skips at its first instant, not in the day before', () => {
    // Santiago and Havana move their clocks from 00:00 to 01:00.
    expect(iso(fromWallClock({ year: 2026, month: 9, day: 6 }, 'America/Santiago'))).toBe(
      '2026-09-06T04:00:00.000Z',
    );
    expect(iso(fromWallClock({ year: 2026, month: 3, day: 8 }, 'America/Havana'))).toBe(
      '2026-03-08T05:00:00.000Z',
    );
    // A time inside a skipped hour: the instant the clock jumps.
    expect(iso(fromWallClock({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Paris'))).toBe(
      '2026-03-29T01:00:00.000Z',
    );
  });

  it('keeps years before 100 as they are', () => {
    expect(iso(fromWallClock({ year: 50, month: 6, day: 1 }, 'UTC'))).toBe('0050-06-01T00:00:00.000Z');
    expect(iso(fromWallClock({ year: 50, month: 6, day: 1 }, 'Europe/Paris'))?.slice(0, 10)).toBe(
      '0050-05-31',
    );
    expect(iso(toWallClock(new Date('0050-06-01T12:00:00Z'), 'Europe/Paris'))?.slice(0, 4)).toBe('0050');
  });
});

describe('parseBound with a bare date', () => {
  it('covers the whole of a day that starts after a skipped midnight', () => {
    expect(iso(parseBound('2026-09-06', 'since', undefined, 'America/Santiago'))).toBe(
      '2026-09-06T04:00:00.000Z',
    );
    expect(iso(parseBound('2026-09-05', 'until', undefined, 'America/Santiago'))).toBe(
      '2026-09-06T04:00:00.000Z',
    );
  });

  it('reads years before 100 as written', () => {
    expect(iso(parseBound('0050-06-01', 'since'))).toBe('0050-06-01T00:00:00.000Z');
    // Year 0 is 1 BC, which time zones name differently: refused.
    expect(() => parseBound('0000-06-01', 'since')).toThrow(/is not a date/);
    expect(() => parseBound('0000-06-01T00:00:00Z', 'until')).toThrow(/is not a date/);
    expect(iso(parseBound('0026-03-31', 'until'))).toBe('0026-04-01T00:00:00.000Z');
  });
});
