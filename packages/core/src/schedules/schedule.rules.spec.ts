import { InvalidInputError } from '../errors';
import { checkInterval, parseCron } from './schedule.rules';

const local = (date: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(date);

describe('parseCron', () => {
  it('keeps the wall-clock time across daylight saving changes', () => {
    const cron = parseCron('0 7 * * *', 'Europe/Berlin');
    const runs = cron.nextRuns(3, new Date('2026-03-28T12:00:00Z'));
    expect(runs.map((run) => local(run, 'Europe/Berlin'))).toEqual([
      '29/03, 07:00 CEST',
      '30/03, 07:00 CEST',
      '31/03, 07:00 CEST',
    ]);
    expect(runs[0].toISOString()).toBe('2026-03-29T05:00:00.000Z');
    const autumn = cron.nextRuns(2, new Date('2026-10-24T12:00:00Z'));
    expect(autumn.map((run) => run.toISOString())).toEqual([
      '2026-10-25T06:00:00.000Z',
      '2026-10-26T06:00:00.000Z',
    ]);
  });

  it('fires once on the day a local time does not exist', () => {
    const runs = parseCron('30 2 * * *', 'Europe/Berlin').nextRuns(3, new Date('2026-03-28T00:00:00Z'));
    expect(runs.map((run) => run.toISOString().slice(0, 10))).toEqual([
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
    ]);
  });

  it('refuses what it cannot schedule, saying which part is wrong', () => {
    expect(() => parseCron('0 7 * *', 'UTC')).toThrow(InvalidInputError);
    expect(() => parseCron('* * * * * *', 'UTC')).toThrow(/it has 6 fields; give five/);
    expect(() => parseCron('0 7 * * *', 'Europe/Nowhere')).toThrow(
      /timeZone "Europe\/Nowhere" is not a time zone: use an IANA name/,
    );
    expect(() => parseCron('0 0 30 2 *', 'UTC')).toThrow(/cron "0 0 30 2 \*"/);
  });
});

describe('checkInterval', () => {
  const from = new Date('2026-01-01T00:00:00Z');

  it('measures the gap in real time, so daylight saving shortens a daily schedule once a year', () => {
    const daily = parseCron('0 7 * * *', 'America/New_York');
    expect(() => checkInterval('0 7 * * *', daily, 23 * 60, from)).not.toThrow();
    expect(() => checkInterval('0 7 * * *', daily, 24 * 60, from)).toThrow(
      /comes due 1380 minutes apart \(2026-03-07T12:00:00.000Z and 2026-03-08T11:00:00.000Z\)/,
    );
  });

  it('finds a close pair that only comes round on some days', () => {
    const cron = parseCron('0,10 9 * * 1', 'UTC');
    expect(() => checkInterval('0,10 9 * * 1', cron, 60, from)).toThrow(/comes due 10 minutes apart/);
    expect(() => checkInterval('0 9 * * 1', parseCron('0 9 * * 1', 'UTC'), 60, from)).not.toThrow();
  });
});
