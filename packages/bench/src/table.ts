import type { Measurement } from './measure';

export interface BenchRow {
  dialect: string;
  users: number;
  activityRows: number;
  /** A process that only loaded the code and connected: the RSS everything starts from. */
  idle: Measurement;
  /** Each activity kind of the site counted alone: what reading the rows costs at the least. */
  scan: Measurement;
  floor: Measurement;
  exported: Measurement;
}

const MB = 2 ** 20;

/** The bench's result as a Markdown table, ready for an issue's closing note. */
export function formatTable(rows: BenchRow[]): string {
  const header = [
    'database',
    'users',
    'activity rows',
    'queries',
    'wall s',
    'rows/s',
    'peak RSS MB',
    'idle RSS MB',
    'file MB',
    'floor s',
    'first row s',
    'floor RSS MB',
    'scan s',
    'floor/scan',
    'export/floor',
  ];
  const body = rows.map((row) => [
    row.dialect,
    row.users.toLocaleString('en'),
    row.activityRows.toLocaleString('en'),
    String(row.exported.queries),
    (row.exported.ms / 1000).toFixed(2),
    Math.round(row.activityRows / (row.exported.ms / 1000)).toLocaleString('en'),
    (row.exported.peakRss / MB).toFixed(0),
    (row.idle.peakRss / MB).toFixed(0),
    (row.exported.bytes / MB).toFixed(2),
    (row.floor.ms / 1000).toFixed(2),
    ((row.floor.firstRowMs ?? 0) / 1000).toFixed(2),
    (row.floor.peakRss / MB).toFixed(0),
    (row.scan.ms / 1000).toFixed(2),
    (row.floor.ms / row.scan.ms).toFixed(2),
    (row.exported.ms / row.floor.ms).toFixed(2),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i < 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width, i) => (i < 1 ? ':' : '-') + '-'.repeat(width) + (i < 1 ? '-' : ':')).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
