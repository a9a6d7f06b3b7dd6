import { parseDatabaseUrl, toDate } from './connection';
import { maskUrl } from '../text/mask-url';
import { toDjangoDatetime } from './sqlite.client';

describe('database URLs', () => {
  it('reads MySQL URLs with credentials, port and database', () => {
    expect(parseDatabaseUrl('mysql://app:s%40cret@db.internal:3307/spotlight')).toMatchObject({
      dialect: 'mysql',
      connection: {
        host: 'db.internal',
        port: 3307,
        user: 'app',
        password: 's@cret',
        database: 'spotlight',
        timezone: 'Z',
      },
    });
    expect(parseDatabaseUrl('mariadb://root@127.0.0.1/x').dialect).toBe('mysql');
  });

  it('reads SQLite URLs', () => {
    expect(parseDatabaseUrl('sqlite:///var/lib/spotlight.db')).toEqual({
      dialect: 'sqlite',
      connection: { filename: '/var/lib/spotlight.db' },
    });
    expect(parseDatabaseUrl('sqlite:data/x.db')).toEqual({
      dialect: 'sqlite',
      connection: { filename: 'data/x.db' },
    });
  });

  it.each([
    ['postgres://localhost/x', /must start with mysql:\/\/ or sqlite:/],
    ['mysql://localhost', /names no database/],
    ['sqlite:', /names no SQLite file/],
  ])('rejects %s with a clear message', (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(message);
  });

  it('masks passwords for printing', () => {
    expect(maskUrl('mysql://app:secret@db/x')).toBe('mysql://app:***@db/x');
    expect(maskUrl('sqlite:///a/b.db')).toBe('sqlite:///a/b.db');
  });

  it('stores datetimes as Django does on SQLite and reads them back as UTC', () => {
    const date = new Date('2026-03-04T05:06:07.089Z');
    expect(toDjangoDatetime(date)).toBe('2026-03-04 05:06:07.089000');
    expect(toDate(toDjangoDatetime(date))).toEqual(date);
    expect(toDate(date)).toBe(date);
    expect(toDate(null)).toBeNull();
  });

  it.each([
    ['MySQL zero date as SQLite text', '0000-00-00 00:00:00'],
    ['MySQL zero date with microseconds', '0000-00-00 00:00:00.000000'],
    ['a zero month', '2024-00-10 00:00:00'],
    ['a day that does not exist', '2024-02-30 12:00:00'],
    ['text that is no date', 'yesterday'],
    ["mysql2's reading of a zero date", new Date(Number.NaN)],
    ['a number that is no time', Number.NaN],
  ])('reads %s as no date', (_case, value) => {
    expect(toDate(value)).toBeNull();
  });

  it('still reads real dates at the edges: leap days, old dates, explicit offsets', () => {
    expect(toDate('2024-02-29 12:00:00')).toEqual(new Date('2024-02-29T12:00:00Z'));
    expect(toDate('1850-06-01 12:00:00.000000')).toEqual(new Date('1850-06-01T12:00:00Z'));
    expect(toDate('2026-03-04T23:30:00-02:00')).toEqual(new Date('2026-03-05T01:30:00Z'));
  });
});
