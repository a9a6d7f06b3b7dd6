import path from 'node:path';
import { CHROMIUM, renderHtml, requirementMet, testReportDir } from '@spotlight/testing';
import {
  attachmentName,
  escapeHtml,
  exportBodies,
  exportHeaders,
  exportSubject,
  type ExportMailContent,
} from './export.mail';

const LEVELS = { Creator: 40, Contributor: 100, Supporter: 60, Member: 35, Idle: 65 };

const content = (fields: Partial<ExportMailContent> = {}): ExportMailContent => ({
  customer: 'acme.example.com',
  customerName: 'Acme <b>& Co</b>',
  active: 235,
  inactive: 65,
  levels: LEVELS,
  range: {},
  generatedAt: new Date('2026-11-25T08:30:00Z'),
  attachmentName: 'user-activity-acme.example.com-all-time-2026-11-25.xlsx',
  ...fields,
});

/** Whitespace as a reader perceives it: runs of spaces and tabs are one space. */
const squeeze = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');

describe('export email', () => {
  it.each([
    [
      'a quarter',
      { since: '2025-04-01T00:00:00Z', until: '2025-07-01T00:00:00Z' },
      'UTC',
      'user-activity-acme.example-2025-04-01-to-2025-06-30.xlsx',
    ],
    [
      'a quarter in Paris (its bounds are the day before in UTC)',
      { since: '2025-03-31T22:00:00Z', until: '2025-06-30T22:00:00Z' },
      'Europe/Paris',
      'user-activity-acme.example-2025-04-01-to-2025-06-30.xlsx',
    ],
    ['all time', {}, 'UTC', 'user-activity-acme.example-all-time-2026-11-25.xlsx'],
    [
      'all time, generated on the next day in Tokyo',
      {},
      'Asia/Tokyo',
      'user-activity-acme.example-all-time-2026-11-26.xlsx',
    ],
    [
      'a start only, up to the day it was generated',
      { since: '2026-01-01T00:00:00Z' },
      'UTC',
      'user-activity-acme.example-2026-01-01-to-2026-11-25.xlsx',
    ],
    [
      'an end only',
      { until: '2026-01-01T00:00:00Z' },
      'UTC',
      'user-activity-acme.example-up-to-2025-12-31.xlsx',
    ],
    [
      'an end in the middle of a day, which is included',
      { since: '2026-01-01T00:00:00Z', until: '2026-01-31T12:00:00Z' },
      'UTC',
      'user-activity-acme.example-2026-01-01-to-2026-01-31.xlsx',
    ],
  ])("names the workbook after its period, in the export's zone: %s", (_label, bounds, timeZone, name) => {
    const range = {
      since: 'since' in bounds ? new Date(bounds.since) : undefined,
      until: 'until' in bounds ? new Date(bounds.until) : undefined,
    };
    const generatedAt = new Date('2026-11-25T20:30:00Z');
    expect(attachmentName({ customer: 'acme.example', range, timeZone, generatedAt })).toBe(name);
  });

  it('names the customer and the period in the subject, on one line', () => {
    expect(exportSubject('Acme & Co', {})).toBe('User activity: Acme & Co (all time)');
    expect(
      exportSubject('Acme\r\nBcc: x@evil.test', {
        since: new Date('2026-01-01T00:00:00Z'),
        until: new Date('2026-04-01T00:00:00Z'),
      }),
    ).toBe('User activity: Acme Bcc: x@evil.test (1 January 2026 to 31 March 2026)');
  });

  it('says the same things in the plain-text twin as in the HTML', () => {
    const { text } = exportBodies(
      content({ requestedBy: { kind: 'person', name: 'Jane Doe, Spotlight support' } }),
    );
    expect(text).toBe(
      [
        'Hello,',
        '',
        'Here is the user activity of Acme <b>& Co</b> (acme.example.com), for all time.',
        '',
        'The workbook user-activity-acme.example.com-all-time-2026-11-25.xlsx is attached; its first sheet, Summary, explains the numbers.',
        '',
        'Users with activity: 235',
        'Users without activity: 65',
        'All users: 300',
        'Engagement: Creator: 40, Contributor: 100, Supporter: 60, Member: 35, Idle: 65',
        'Period: all time, dates in UTC',
        'Generated: 2026-11-25 08:30 (UTC)',
        '',
        'How it is counted: A user has activity when they ever created a challenge, idea, comment, conversation or community, voted on an idea, liked a comment, or manage or joined a community on this site, whether their account is active or deactivated.',
        '',
        'Requested by Jane Doe, Spotlight support. It is sent once; nothing more will follow unless asked for.',
        '',
      ].join('\n'),
    );
  });

  it('adds New and Lapsed since the previous period to the table of a ranged export, in text and HTML', () => {
    const quarter = content({
      range: { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-04-01T00:00:00Z') },
      change: { since: 'Q4 2025', users: { New: 30, Retained: 205, Lapsed: 12, 'Idle in both': 53 } },
    });
    const { text, html } = exportBodies(quarter);
    expect(text).toContain(
      [
        'All users: 300',
        'New: 30 (active in this period, not in Q4 2025)',
        'Lapsed: 12 (active in Q4 2025, not in this period)',
        'Engagement:',
      ].join('\n'),
    );
    expect(html).toContain(
      '<tr><th align="left" style="padding-right:12px">New:</th><td>30 (active in this period, not in Q4 2025)</td></tr>' +
        '<tr><th align="left" style="padding-right:12px">Lapsed:</th><td>12 (active in Q4 2025, not in this period)</td></tr>',
    );
    if (!requirementMet(CHROMIUM, 'the rendered email check')) return;
    const seen = renderHtml(html, {
      screenshot: path.join(testReportDir(), 'screenshots', 'export-email-change.png'),
    });
    expect(squeeze(seen)).toBe(squeeze(text));
  });

  it('says nothing about change without a previous period', () => {
    const { text, html } = exportBodies(content({ range: { since: new Date('2026-01-01T00:00:00Z') } }));
    expect(`${text}${html}`).not.toMatch(/\bNew\b|Lapsed|Retained|previous/);
  });

  it('renders in a real browser as the text a person reads, markup in names shown as text', () => {
    if (!requirementMet(CHROMIUM, 'the rendered email check')) return;
    const ranged = content({
      range: { since: new Date('2026-01-01T00:00:00Z'), until: new Date('2026-04-01T00:00:00Z') },
      requestedBy: { kind: 'schedule', scheduleId: 12 },
      link: {
        url: 'https://exports.example.com/downloads/abc?x=1&y="2"',
        expiresAt: new Date('2026-12-02T08:30:00Z'),
        bytes: 25 * 1024 * 1024,
      },
    });
    const { text, html } = exportBodies(ranged);
    const screenshot = path.join(testReportDir(), 'screenshots', 'export-email-link-schedule.png');
    const seen = renderHtml(html, { screenshot });
    // What a person sees is the plain-text twin, word for word.
    expect(squeeze(seen)).toBe(squeeze(text));
    expect(seen).toContain(
      'Here is the user activity of Acme <b>& Co</b> (acme.example.com), for 1 January 2026 to 31 March 2026.',
    );
    expect(seen).toContain('Download it until 2026-12-02 08:30 (UTC); anyone with this link can:');
    expect(seen).toContain('https://exports.example.com/downloads/abc?x=1&y="2"');
    expect(seen).toContain('listed "(all time)" and are not activity in the period');
    expect(seen).toContain(
      'To stop receiving it, ask your Spotlight support contact to turn off schedule 12.',
    );
    expect(html).not.toMatch(/<b>/);
    expect(html).toContain('href="https://exports.example.com/downloads/abc?x=1&#38;y=&#34;2&#34;"');
  });

  // [what, since, until, zone, the period as a name (subject, Period), the period in the first sentence]
  it.each([
    ['all time', undefined, undefined, 'UTC', 'all time', 'for all time'],
    [
      'two whole days',
      '2026-01-01T00:00:00Z',
      '2026-04-01T00:00:00Z',
      'UTC',
      '1 January 2026 to 31 March 2026',
      'for 1 January 2026 to 31 March 2026',
    ],
    [
      'an open-ended since',
      '2026-11-01T00:00:00Z',
      undefined,
      'UTC',
      'from 1 November 2026',
      'since 1 November 2026',
    ],
    [
      'an open-ended since, in a zone',
      '2026-10-31T23:00:00Z',
      undefined,
      'Europe/Paris',
      'from 1 November 2026',
      'since 1 November 2026',
    ],
    [
      'an open-ended until',
      undefined,
      '2026-04-01T00:00:00Z',
      'UTC',
      'up to 31 March 2026',
      'up to 31 March 2026',
    ],
    [
      'two times',
      '2026-01-01T10:00:00Z',
      '2026-03-31T12:00:00Z',
      'UTC',
      'from 2026-01-01 10:00 until just before 2026-03-31 12:00',
      'from 2026-01-01 10:00 until just before 2026-03-31 12:00',
    ],
    [
      'an open-ended since at a time',
      '2026-01-01T10:00:00Z',
      undefined,
      'UTC',
      'from 2026-01-01 10:00 until now',
      'from 2026-01-01 10:00 until now',
    ],
    [
      'an open-ended until at a time',
      undefined,
      '2026-03-31T12:00:00Z',
      'UTC',
      'from the beginning until just before 2026-03-31 12:00',
      'from the beginning until just before 2026-03-31 12:00',
    ],
  ])(
    'words %s the same in the subject, the text and the HTML',
    (_what, since, until, timeZone, name, sentence) => {
      const range = {
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
      };
      const subject = exportSubject('Acme', range, timeZone);
      const { text, html } = exportBodies(content({ customerName: 'Acme', range, timeZone }));
      const intro = `Here is the user activity of Acme (acme.example.com), ${sentence}.`;
      const period = `Period: ${name}, dates in ${timeZone}`;

      expect(subject).toBe(`User activity: Acme (${name})`);
      expect(text).toContain(`\n${intro}\n`);
      expect(text).toContain(`\n${period}\n`);
      expect(html).toContain(`<title>${escapeHtml(subject)}</title>`);
      expect(html).toContain(`<p>${escapeHtml(intro)}</p>`);
      expect(html).toContain(
        `<th align="left" style="padding-right:12px">Period:</th><td>${escapeHtml(`${name}, dates in ${timeZone}`)}</td>`,
      );
      // A preposition twice, or a bracket inside the subject's brackets, is what a reader trips over.
      for (const words of [subject, text]) {
        expect(words).not.toMatch(/\b(for|since|from|to|up to|until) (for|since|from|up|until)\b/);
        expect(words).not.toMatch(/\([^)]*\(/);
      }
    },
  );

  it('gives a scheduled email its one-click unsubscribe link, in the headers and as its last line', () => {
    const url = 'https://exports.example.com/unsubscribe/MTIuMC5t.abc';
    const by = { kind: 'schedule' as const, scheduleId: 12, unsubscribeUrl: url };
    expect(exportHeaders(by)).toEqual({
      'Auto-Submitted': 'auto-generated',
      'List-Unsubscribe': `<${url}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    const { text, html } = exportBodies(content({ requestedBy: by }));
    expect(text).toContain(
      `This email is sent automatically by export schedule 12. To stop receiving it, follow this link:\n${url}\n`,
    );
    expect(text).not.toContain('ask your Spotlight support contact');
    expect(html).toContain(`To stop receiving it: <a href="${url}">stop these emails</a>.`);
  });

  it('keeps the sentence about support, and no List-Unsubscribe, for a schedule without a link', () => {
    expect(exportHeaders({ kind: 'schedule', scheduleId: 12 })).toEqual({
      'Auto-Submitted': 'auto-generated',
    });
    expect(exportBodies(content({ requestedBy: { kind: 'schedule', scheduleId: 12 } })).text).toContain(
      'To stop receiving it, ask your Spotlight support contact to turn off schedule 12.',
    );
  });

  it('puts no unsubscribe or auto-submitted header on a one-off export (the CLI, POST /exports)', () => {
    expect(exportHeaders(undefined)).toBeUndefined();
    expect(exportHeaders({ kind: 'person', name: 'Jane Doe' })).toBeUndefined();
  });
});
