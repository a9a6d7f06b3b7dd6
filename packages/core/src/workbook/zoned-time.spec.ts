import { parseBound, parseRange } from '../export/export.request';
import { describeRangeInDays, fromWallClock, toWallClock } from './zoned-time';

const iso = (date: Date | undefined) => date?.toISOString();

describe('fromWallClock', () => {
  // [what, wall clock, zone, the instant expected]
  it.each([
    ['a winter day', '2026-03-01 00:00', 'Europe/Paris', '2026-02-28T23:00:00.000Z'],
    ['a summer day', '2026-07-01 00:00', 'Europe/Paris', '2026-06-30T22:00:00.000Z'],
    ['a time the clock repeats: the earlier', '2026-10-25 02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z'],
    // Santiago and Havana move their clocks from 00:00 to 01:00: the day starts at the jump.
    ['a skipped midnight', '2026-09-06 00:00', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    ['a skipped midnight', '2026-03-08 00:00', 'America/Havana', '2026-03-08T05:00:00.000Z'],
    [
      'a time inside a skipped hour: the jump',
      '2026-03-29 02:30',
      'Europe/Paris',
      '2026-03-29T01:00:00.000Z',
    ],
  ])('gives the instant for %s (%s in %s)', (_what, wallClock, zone, expected) => {
    const [year, month, day, hour, minute] = wallClock.split(/[- :]/).map(Number);
    expect(iso(fromWallClock({ year, month, day, hour, minute }, zone))).toBe(expected);
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

describe('describeRangeInDays', () => {
  it.each([
    ['2026-01-01', '2026-03-31', 'Europe/Paris', 'from 2026-01-01 to 2026-03-31'],
    ['2026-01-01', undefined, 'Asia/Tokyo', 'from 2026-01-01'],
    [undefined, '2026-03-31', 'America/New_York', 'up to 2026-03-31'],
    [undefined, undefined, 'UTC', 'all time'],
    [
      '2026-01-01T10:00:00Z',
      '2026-03-31T12:00:00Z',
      'Europe/Paris',
      'from 2026-01-01 11:00 until 2026-03-31 14:00 (not included)',
    ],
  ])('says --since %s --until %s in %s as the days asked for: %s', (since, until, timeZone, said) => {
    expect(describeRangeInDays(parseRange(since, until, undefined, timeZone), timeZone)).toBe(said);
  });
});
