import type { DateRange } from '../activity/activity.types';
import { formatBytes } from '../errors';
import { describeRange } from '../workbook/activity-workbook.writer';

export interface ExportMailContent {
  customer: string;
  customerName: string;
  active: number;
  inactive: number;
  range: DateRange;
  generatedAt: Date;
  /** Set when the workbook is too big to attach: the email links to it instead. */
  link?: { url: string; expiresAt: Date; bytes: number };
}

export function exportSubject(customer: string): string {
  return `User activity export: ${customer}`;
}

export function attachmentName(customer: string, generatedAt: Date): string {
  return `user-activity-${customer}-${generatedAt.toISOString().slice(0, 10)}.xlsx`;
}

const UNTIMED_NOTE =
  'Community memberships and comment likes have no date in Spotlight, so they are listed whatever the date range.';

/** The plain-text and HTML bodies of the export email. */
export function exportBodies(content: ExportMailContent): { text: string; html: string } {
  const range = describeRange(content.range);
  const ranged = Boolean(content.range.since || content.range.until);
  const { link } = content;
  const who = `${content.customerName} (${content.customer})`;
  const lines = link
    ? [
        `The user activity of ${who} is too big to attach (${formatBytes(link.bytes)}).`,
        `Download it until ${link.expiresAt.toISOString()}; anyone with this link can:`,
        link.url,
      ]
    : [`Attached is the user activity of ${who}.`];
  lines.push(
    '',
    `Active users: ${content.active}`,
    `Inactive users: ${content.inactive}`,
    `Period: ${range}`,
    `Generated: ${content.generatedAt.toISOString()}`,
    ...(ranged ? ['', UNTIMED_NOTE] : []),
  );
  const html = [
    ...(link
      ? [
          `<p>The user activity of ${escapeHtml(who)} is too big to attach (${formatBytes(link.bytes)}).</p>`,
          `<p><a href="${escapeHtml(link.url)}">Download it</a> until ${link.expiresAt.toISOString()}; anyone with this link can.</p>`,
        ]
      : [`<p>Attached is the user activity of ${escapeHtml(who)}.</p>`]),
    '<table>',
    `<tr><th align="left">Active users</th><td>${content.active}</td></tr>`,
    `<tr><th align="left">Inactive users</th><td>${content.inactive}</td></tr>`,
    `<tr><th align="left">Period</th><td>${escapeHtml(range)}</td></tr>`,
    `<tr><th align="left">Generated</th><td>${content.generatedAt.toISOString()}</td></tr>`,
    '</table>',
    ...(ranged ? [`<p>${UNTIMED_NOTE}</p>`] : []),
  ];
  return { text: `${lines.join('\n')}\n`, html: html.join('\n') };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
