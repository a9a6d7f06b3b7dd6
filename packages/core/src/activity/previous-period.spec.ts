import { parseRange } from '../export/export.request';
import { previousPeriod } from './previous-period';

/** The previous period of the range the CLI's --since/--until would give in that zone. */
function previousOf(since: string, until: string, timeZone: string) {
  const previous = previousPeriod(parseRange(since, until, undefined, timeZone), timeZone);
  return (
    previous && {
      since: previous.since.toISOString(),
      until: previous.until.toISOString(),
      words: previous.words,
    }
  );
}

describe('the previous period', () => {
  // [what, --since, --until (a bare date: that whole day), zone, previous since, previous until, in words]
  it.each([
    [
      'a month',
      '2026-03-01',
      '2026-03-31',
      'UTC',
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
      'February 2026',
    ],
    [
      'a quarter',
      '2026-04-01',
      '2026-06-30',
      'UTC',
      '2026-01-01T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
      'Q1 2026',
    ],
    [
      'the first quarter: the last of the year before',
      '2026-01-01',
      '2026-03-31',
      'UTC',
      '2025-10-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      'Q4 2025',
    ],
    [
      'a year',
      '2026-01-01',
      '2026-12-31',
      'UTC',
      '2025-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2025',
    ],
    [
      'two months',
      '2026-01-01',
      '2026-02-28',
      'UTC',
      '2025-11-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      'November 2025 to December 2025',
    ],
    [
      'three months that are no quarter',
      '2026-02-01',
      '2026-04-30',
      'UTC',
      '2025-11-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
      'November 2025 to January 2026',
    ],
    // Paris: March 2026 starts at UTC+1 and ends at UTC+2; February is whole Paris days.
    [
      'a month across a DST change in Paris',
      '2026-03-01',
      '2026-03-31',
      'Europe/Paris',
      '2026-01-31T23:00:00.000Z',
      '2026-02-28T23:00:00.000Z',
      'February 2026',
    ],
    [
      'the month after a DST change in Paris',
      '2026-04-01',
      '2026-04-30',
      'Europe/Paris',
      '2026-02-28T23:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
      'March 2026',
    ],
    [
      'a quarter in Paris',
      '2026-04-01',
      '2026-06-30',
      'Europe/Paris',
      '2025-12-31T23:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
      'Q1 2026',
    ],
    [
      '7 days',
      '2026-05-10',
      '2026-05-16',
      'UTC',
      '2026-05-03T00:00:00.000Z',
      '2026-05-10T00:00:00.000Z',
      '2026-05-03 to 2026-05-09',
    ],
    [
      '14 days',
      '2026-05-10',
      '2026-05-23',
      'UTC',
      '2026-04-26T00:00:00.000Z',
      '2026-05-10T00:00:00.000Z',
      '2026-04-26 to 2026-05-09',
    ],
    [
      '7 days in Paris',
      '2026-05-10',
      '2026-05-16',
      'Europe/Paris',
      '2026-05-02T22:00:00.000Z',
      '2026-05-09T22:00:00.000Z',
      '2026-05-03 to 2026-05-09',
    ],
    // Schema: [since − (until − since), since). Seven Paris days after the
    // clocks went forward are 7 × 24 hours; so are the previous ones, which
    // then start at 23:00 on the day before, Paris time.
    [
      '7 days just after a DST change in Paris',
      '2026-03-30',
      '2026-04-05',
      'Europe/Paris',
      '2026-03-22T22:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-22 23:00 to 2026-03-30 00:00',
    ],
    // Across the change the range is 7 × 24 − 1 hours: so is the previous period.
    [
      '7 days across a DST change in Paris',
      '2026-03-26',
      '2026-04-01',
      'Europe/Paris',
      '2026-03-19T00:00:00.000Z',
      '2026-03-25T23:00:00.000Z',
      '2026-03-19 01:00 to 2026-03-26 00:00',
    ],
    [
      'a month that does not start on the 1st: the same length',
      '2026-03-15',
      '2026-04-14',
      'UTC',
      '2026-02-12T00:00:00.000Z',
      '2026-03-15T00:00:00.000Z',
      '2026-02-12 to 2026-03-14',
    ],
    [
      'hours',
      '2026-05-10T08:00:00Z',
      '2026-05-10T20:00:00Z',
      'UTC',
      '2026-05-09T20:00:00.000Z',
      '2026-05-10T08:00:00.000Z',
      '2026-05-09 20:00 to 2026-05-10 08:00',
    ],
  ])(
    'of %s (%s to %s, %s) is %s to %s, "%s"',
    (_what, since, until, zone, previousSince, previousUntil, words) => {
      expect(previousOf(since, until, zone)).toEqual({ since: previousSince, until: previousUntil, words });
    },
  );

  it('is months only when both ends are the first of a month at midnight in the export zone', () => {
    // Midnight on 1 April in UTC is 02:00 in Paris: not a month there, the same length instead.
    const range = { since: new Date('2026-04-01T00:00:00Z'), until: new Date('2026-05-01T00:00:00Z') };
    expect(previousPeriod(range, 'UTC')?.words).toBe('March 2026');
    expect(previousPeriod(range, 'Europe/Paris')).toEqual({
      since: new Date('2026-03-02T00:00:00Z'),
      until: range.since,
      words: '2026-03-02 01:00 to 2026-04-01 02:00',
    });
  });

  it('does not exist without a range or with an end missing: an open range has no length', () => {
    expect(previousPeriod({}, 'UTC')).toBeNull();
    expect(previousPeriod({ since: new Date('2026-03-01T00:00:00Z') }, 'UTC')).toBeNull();
    expect(previousPeriod({ until: new Date('2026-03-01T00:00:00Z') }, 'UTC')).toBeNull();
  });
});
