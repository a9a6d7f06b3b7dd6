import {
  ENGAGEMENT_LEVELS,
  activityRule,
  type ChangeStatus,
  type DateRange,
  type EngagementLevel,
} from '../activity/activity.types';
import { formatBytes } from '../text/bytes';
import { oneLine } from '../text/one-line';
import { SUMMARY_SHEET } from '../workbook/summary-sheet';
import { WORKBOOK_EXTENSION } from '../workbook/workbook-file';
import {
  DEFAULT_TIME_ZONE,
  describePeriod,
  formatDateTime,
  formatIsoDay,
  periodClause,
} from '../workbook/zoned-time';

/** Who asked for an export, as its email tells the recipient. */
export type RequestedBy =
  | { kind: 'person'; name: string }
  /** `unsubscribeUrl`: the recipient's one-click link to stop it; none when the server cannot make links. */
  | { kind: 'schedule'; scheduleId: number; unsubscribeUrl?: string };

export interface ExportMailContent {
  customer: string;
  customerName: string;
  active: number;
  inactive: number;
  /** Users at each engagement level (Idle being the inactive ones). */
  levels: Record<EngagementLevel, number>;
  /** Users by what became of them since the previous period (`since` in words); none without one. */
  change?: { since: string; users: Record<ChangeStatus, number> };
  range: DateRange;
  /** The zone dates are shown in; UTC by default. */
  timeZone?: string;
  generatedAt: Date;
  /** The attached file's name, when the workbook is attached. */
  attachmentName?: string;
  /** Set when the workbook is too big to attach: the email links to it instead. */
  link?: { url: string; expiresAt: Date; bytes: number };
  /** Nobody named reads as "Spotlight support": never an account of ours. */
  requestedBy?: RequestedBy;
}

export function exportSubject(customerName: string, range: DateRange, timeZone = DEFAULT_TIME_ZONE): string {
  return oneLine(`User activity: ${customerName} (${describePeriod(range, timeZone)})`);
}

/** What names an export's workbook. */
export interface WorkbookNaming {
  customer: string;
  range: DateRange;
  timeZone: string;
  generatedAt: Date;
}

/**
 * The workbook's file name, after the period it covers, in days of the
 * export's zone, the last day included: `user-activity-example.com-2026-01-01-to-2026-03-31.xlsx`.
 * All time is `...-all-time-<generated day>`; a period with no end runs to
 * the day it was generated; one with no start is `...-up-to-<last day>`.
 */
export function attachmentName({ customer, range, timeZone, generatedAt }: WorkbookNaming): string {
  const day = (date: Date) => formatIsoDay(date, timeZone);
  const lastDay = range.until && day(new Date(range.until.getTime() - 1));
  let period: string;
  if (range.since) period = `${day(range.since)}-to-${lastDay ?? day(generatedAt)}`;
  else if (lastDay) period = `up-to-${lastDay}`;
  else period = `all-time-${day(generatedAt)}`;
  return `user-activity-${customer}-${period}${WORKBOOK_EXTENSION}`;
}

/** The range in UTC instants, as the command line's --verbose prints it beside the range asked for. */
export function describeRange(range: DateRange): string {
  if (!range.since && !range.until) return 'all time';
  const since = range.since ? `from ${range.since.toISOString()}` : 'from the beginning';
  const until = range.until ? `until ${range.until.toISOString()} (exclusive)` : 'until now';
  return `${since} ${until}`;
}

/** How the numbers are counted, in one sentence. */
export function countingSentence(range: DateRange): string {
  return activityRule(range);
}

interface Paragraph {
  text: string;
  /** The same paragraph as an HTML block; the escaped text in a <p> when not given. */
  html?: string;
}

/** A customer as the email and the pages its manager opens name it: its name, then its domain. */
export function customerLabel(name: string | null | undefined, domain: string): string {
  const shown = oneLine(name ?? '').trim();
  return shown ? `${shown} (${domain})` : domain;
}

/** The plain-text and HTML bodies of the export email: the same paragraphs, in the same order. */
export function exportBodies(content: ExportMailContent): { text: string; html: string } {
  const timeZone = content.timeZone ?? DEFAULT_TIME_ZONE;
  const period = describePeriod(content.range, timeZone);
  const who = customerLabel(content.customerName, content.customer);
  const users = content.active + content.inactive;
  const mix = ENGAGEMENT_LEVELS.map((level) => `${level}: ${content.levels[level]}`).join(', ');
  const { link, change } = content;

  const paragraphs: Paragraph[] = [{ text: 'Hello,' }];
  paragraphs.push({
    text: `Here is the user activity of ${who}, ${periodClause(content.range, timeZone)}.`,
  });
  if (link) {
    const until = `${formatDateTime(link.expiresAt, timeZone)} (${timeZone})`;
    const intro = `The workbook is too big to attach (${formatBytes(link.bytes)}). Download it until ${until}; anyone with this link can:`;
    paragraphs.push({
      text: `${intro}\n${link.url}`,
      html: `<p>${escapeHtml(intro)}<br><a href="${escapeHtml(link.url)}">${escapeHtml(link.url)}</a></p>`,
    });
  } else {
    const workbook = content.attachmentName ? `The workbook ${content.attachmentName}` : 'The workbook';
    paragraphs.push({
      text: `${workbook} is attached; its first sheet, ${SUMMARY_SHEET}, explains the numbers.`,
    });
  }
  const numbers: Array<[string, string]> = [
    // "Active" would read as the account's state: these count activity.
    ['Users with activity', `${content.active}`],
    ['Users without activity', `${content.inactive}`],
    ['All users', `${users}`],
    ...(change
      ? ([
          ['New', `${change.users.New} (active in this period, not in ${change.since})`],
          ['Lapsed', `${change.users.Lapsed} (active in ${change.since}, not in this period)`],
        ] as Array<[string, string]>)
      : []),
    ['Engagement', mix],
    ['Period', `${period}, dates in ${timeZone}`],
    ['Generated', `${formatDateTime(content.generatedAt, timeZone)} (${timeZone})`],
  ];
  paragraphs.push({
    text: numbers.map(([label, value]) => `${label}: ${value}`).join('\n'),
    html:
      '<table cellpadding="2" style="border-collapse:collapse">' +
      numbers
        .map(
          ([label, value]) =>
            `<tr><th align="left" style="padding-right:12px">${escapeHtml(label)}:</th><td>${escapeHtml(value)}</td></tr>`,
        )
        .join('') +
      '</table>',
  });
  paragraphs.push({ text: `How it is counted: ${countingSentence(content.range)}` });
  paragraphs.push(...requestedBy(content.requestedBy));

  const text = paragraphs.map((paragraph) => paragraph.text).join('\n\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>' +
      escapeHtml(exportSubject(content.customerName, content.range, timeZone)) +
      '</title></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;color:#222">',
    ...paragraphs.map((paragraph) => paragraph.html ?? `<p>${escapeHtml(paragraph.text)}</p>`),
    '</body></html>',
  ].join('\n');
  return { text: `${text}\n`, html };
}

function requestedBy(by: RequestedBy | undefined): Paragraph[] {
  if (by?.kind === 'schedule' && by.unsubscribeUrl) {
    const sentBy = `This email is sent automatically by export schedule ${by.scheduleId}.`;
    return [
      {
        text: `${sentBy} To stop receiving it, follow this link:\n${by.unsubscribeUrl}`,
        // The link says what it does (a screen reader reads its words, not a signed address).
        html: `<p>${escapeHtml(sentBy)} To stop receiving it: <a href="${escapeHtml(by.unsubscribeUrl)}">stop these emails</a>.</p>`,
      },
    ];
  }
  if (by?.kind === 'schedule') {
    return [
      {
        text: `This email is sent automatically by export schedule ${by.scheduleId}. To stop receiving it, ask your Spotlight support contact to turn off schedule ${by.scheduleId}.`,
      },
    ];
  }
  const name = by?.kind === 'person' && by.name.trim() ? oneLine(by.name).trim() : 'Spotlight support';
  return [{ text: `Requested by ${name}. It is sent once; nothing more will follow unless asked for.` }];
}

/**
 * The headers of a scheduled email: auto-generated (RFC 3834), so that
 * auto-replies stay away, and with its link a one-click unsubscribe (RFC 8058).
 * None for a one-off export.
 */
export function exportHeaders(by: RequestedBy | undefined): Record<string, string> | undefined {
  if (by?.kind !== 'schedule') return undefined;
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  if (by.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${by.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return headers;
}

/** Text safe inside HTML: the email's and any notice's. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
