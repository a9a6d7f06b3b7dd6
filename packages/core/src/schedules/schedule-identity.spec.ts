import { canonicalCron, canonicalTimeZone, scheduleIdentityKey } from './schedule-identity';

const weekly = {
  customer: 'example.com',
  recipient: 'manager@example.com',
  cron: '0 7 * * 1',
  timeZone: 'Europe/Berlin',
  windowDays: 30,
};

describe('schedule identity', () => {
  it.each(['0 7 * * 1', ' 0  7 * *  1 ', '00 07 * * 1', '0 7 * * mon', '0 7 * * MON', '0 7 ? * 1'])(
    'reads %p as the same cron as "0 7 * * 1"',
    (cron) => {
      expect(canonicalCron(cron)).toBe(canonicalCron('0 7 * * 1'));
    },
  );

  it.each(['0 7 * * 0', '0 8 * * 1', '0 7 1-31 * 1', '0 7 * * 1-2'])('tells %p from "0 7 * * 1"', (cron) => {
    expect(canonicalCron(cron)).not.toBe(canonicalCron('0 7 * * 1'));
  });

  it('reads Sunday as 0, 7 or SUN', () => {
    expect(new Set(['0 7 * * 0', '0 7 * * 7', '0 7 * * sun'].map(canonicalCron)).size).toBe(1);
  });

  it('names a zone canonically, and keeps one it cannot read', () => {
    expect(canonicalTimeZone(' europe/berlin ')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Etc/UTC')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus')).toBe('Mars/Olympus');
  });

  it('gives identical schedules one key, as the product compares domains and addresses', () => {
    const key = scheduleIdentityKey(weekly);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(
      scheduleIdentityKey({
        customer: ' Example.COM ',
        recipient: ' Manager@Example.com ',
        cron: '0 7 * * MON',
        timeZone: 'europe/berlin',
        windowDays: 30,
      }),
    ).toBe(key);
  });

  it.each([
    ['customer', { customer: 'example.org' }],
    ['recipient', { recipient: 'other@example.com' }],
    ['accented recipient', { recipient: 'managér@example.com' }],
    ['cron', { cron: '0 7 * * 2' }],
    ['zone', { timeZone: 'Europe/Paris' }],
    ['window', { windowDays: 7 }],
    ['no window', { windowDays: null }],
  ])('gives another key for another %s', (_name, change) => {
    expect(scheduleIdentityKey({ ...weekly, ...change })).not.toBe(scheduleIdentityKey(weekly));
  });
});
