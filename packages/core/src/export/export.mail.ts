import type { DateRange } from '../activity/activity.types';
import { describeRange } from '../workbook/activity-workbook.writer';

export interface ExportMailContent {
  customer: string;
  customerName: string;
  active: number;
  inactive: number;
  range: DateRange;
  generatedAt: Date;
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
  const lines = [
    `Attached is the user activity of ${content.customerName} (${content.customer}).`,
    '',
    `Active users: ${content.active}`,
    `Inactive users: ${content.inactive}`,
    `Period: ${range}`,
    `Generated: ${content.generatedAt.toISOString()}`,
    ...(ranged ? ['', UNTIMED_NOTE] : []),
  ];
  const html = [
    `<p>Attached is the user activity of ${escapeHtml(content.customerName)} (${escapeHtml(content.customer)}).</p>`,
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
