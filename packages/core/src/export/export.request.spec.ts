import { InvalidInputError } from '../errors';
import { parseBound, parseExportRequest, parseRange } from './export.request';

describe('export requests', () => {
  it('normalises the customer and trims the recipient', () => {
    expect(parseExportRequest({ customer: ' Example.COM ', recipient: ' Manager@Example.com ' })).toEqual({
      customer: 'example.com',
      recipient: 'Manager@Example.com',
      range: { since: undefined, until: undefined },
      timeZone: 'UTC',
    });
  });

  it('takes a bare --until date as the whole of that day', () => {
    expect(parseRange('2026-01-01', '2026-01-31')).toEqual({
      since: new Date('2026-01-01T00:00:00Z'),
      until: new Date('2026-02-01T00:00:00Z'),
    });
    expect(parseBound('2026-01-31T12:00:00+02:00', 'until')).toEqual(new Date('2026-01-31T10:00:00Z'));
  });

  it.each([
    [{ customer: 'example.com', recipient: 'not-an-address' }, /"not-an-address" is not an email address/],
    [{ customer: 'example.com', recipient: 'a@b.c, x@y.z' }, /is not an email address/],
    [{ customer: 'exa mple.com', recipient: 'a@b.co' }, /is not a customer domain/],
    [{ customer: '', recipient: 'a@b.co' }, /is not a customer domain/],
    [
      { customer: 'example.com', recipient: 'a@b.co', since: 'yesterday' },
      /^since "yesterday" is not a date/,
    ],
    [
      { customer: 'example.com', recipient: 'a@b.co', until: '2026-02-30' },
      /^until "2026-02-30" is not a date/,
    ],
    [{ customer: 'example.com', recipient: 'a@b.co', since: '2026-01-01T00:00:00' }, /with a time zone/],
    [
      { customer: 'example.com', recipient: 'a@b.co', since: '2026-02-01', until: '2026-01-01' },
      /^since must be earlier than until\.$/,
    ],
  ])('rejects %j', (input, message) => {
    expect(() => parseExportRequest(input)).toThrow(InvalidInputError);
    expect(() => parseExportRequest(input)).toThrow(message);
  });

  it("names the range's ends as the caller does", () => {
    const flags = { since: '--since', until: '--until' };
    expect(() => parseRange('2026-02-01', '2026-01-01', flags)).toThrow(
      /^--since must be earlier than --until\.$/,
    );
    expect(() => parseRange('yesterday', undefined, flags)).toThrow(/^--since "yesterday" is not a date/);
  });
});

describe('time zone of a request', () => {
  const request = (fields: Record<string, string>) =>
    parseExportRequest({ customer: 'example.com', recipient: 'm@example.com', ...fields });

  it("is UTC by default, and Intl's spelling of a known zone", () => {
    expect(request({}).timeZone).toBe('UTC');
    expect(request({ timeZone: 'europe/paris' }).timeZone).toBe('Europe/Paris');
  });

  it('refuses an unknown zone in one line naming the field', () => {
    expect(() => request({ timeZone: 'Mars/Olympus' })).toThrow(
      new InvalidInputError(
        'timeZone "Mars/Olympus" is not a time zone: use an IANA name such as Europe/Paris, or UTC.',
      ),
    );
  });

  it('reads bare dates as days in the zone, across a change of offset', () => {
    // Paris is UTC+1 in winter and UTC+2 from the last Sunday of March.
    expect(request({ since: '2026-01-01', until: '2026-03-31', timeZone: 'Europe/Paris' }).range).toEqual({
      since: new Date('2025-12-31T23:00:00Z'),
      until: new Date('2026-03-31T22:00:00Z'), // the end of 31 March in Paris
    });
    expect(request({ since: '2026-01-01', timeZone: 'America/New_York' }).range.since).toEqual(
      new Date('2026-01-01T05:00:00Z'),
    );
    // A date-time carries its own offset: the zone does not move it.
    expect(request({ since: '2026-01-01T00:00:00Z', timeZone: 'Asia/Tokyo' }).range.since).toEqual(
      new Date('2026-01-01T00:00:00Z'),
    );
  });
});
