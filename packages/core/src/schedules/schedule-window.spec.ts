import { scheduleWindow } from './schedule-window';

const HOUR = 3_600_000;

describe("a schedule's window", () => {
  it('is whole days of the zone across the March change: a weekly run on Monday 30 March 07:00 in Paris starts on Monday 23 March 07:00', () => {
    // 29 March 2026: Paris goes from UTC+1 to UTC+2.
    const dueAt = new Date('2026-03-30T05:00:00.000Z');
    const { since, until } = scheduleWindow(dueAt, 7, 'Europe/Paris');
    expect(until).toEqual(dueAt);
    expect(since).toEqual(new Date('2026-03-23T06:00:00.000Z'));
    expect(dueAt.getTime() - since!.getTime()).toBe(7 * 24 * HOUR - HOUR);
  });

  it('is whole days of the zone across the October change: a weekly run on Monday 26 October 07:00 in Paris starts on Monday 19 October 07:00', () => {
    // 25 October 2026: Paris goes from UTC+2 to UTC+1.
    const dueAt = new Date('2026-10-26T06:00:00.000Z');
    const { since, until } = scheduleWindow(dueAt, 7, 'Europe/Paris');
    expect(until).toEqual(dueAt);
    expect(since).toEqual(new Date('2026-10-19T05:00:00.000Z'));
    expect(dueAt.getTime() - since!.getTime()).toBe(7 * 24 * HOUR + HOUR);
  });

  it('lets consecutive weekly runs meet exactly, with neither a gap nor an overlap, over both changes', () => {
    for (const mondays of [
      ['2026-03-23T06:00:00.000Z', '2026-03-30T05:00:00.000Z', '2026-04-06T05:00:00.000Z'],
      ['2026-10-19T05:00:00.000Z', '2026-10-26T06:00:00.000Z', '2026-11-02T06:00:00.000Z'],
    ]) {
      const [first, second, third] = mondays.map((at) => new Date(at));
      expect(scheduleWindow(second, 7, 'Europe/Paris').since).toEqual(first);
      expect(scheduleWindow(third, 7, 'Europe/Paris').since).toEqual(second);
    }
  });

  it('keeps seconds and milliseconds of a run queued by hand, and is exact time in UTC', () => {
    const dueAt = new Date('2026-03-30T05:12:34.567Z');
    expect(scheduleWindow(dueAt, 30, 'UTC').since).toEqual(new Date('2026-02-28T05:12:34.567Z'));
    expect(scheduleWindow(dueAt, 7, 'Europe/Paris').since).toEqual(new Date('2026-03-23T06:12:34.567Z'));
  });

  it('is all activity without a window', () => {
    expect(scheduleWindow(new Date('2026-03-30T05:00:00.000Z'), null, 'Europe/Paris')).toEqual({
      since: null,
      until: null,
    });
  });
});
