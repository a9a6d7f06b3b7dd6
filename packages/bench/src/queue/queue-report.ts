import type { ClaimFigures, StatementFigures } from './slow-log';

export interface QueueReport {
  processes: number;
  schedules: number;
  history: number;
  /** Users of all the wave's customers together. */
  users: number;
  dueAt: Date;
  serverEnv: Record<string, string>;
  setup: { customersSeconds: number; historySeconds: number };
  timedOut: boolean;
  /** From the due time to the last schedule's first email; null when some never came. */
  allSentSeconds: number | null;
  firstSentSeconds: number | null;
  emailsPerDueTime: { none: number; one: number; more: number };
  outcomes: Array<{ status: string; claimed_by: string | null; runs: number }>;
  onDemand: Array<{ seconds: number | null; duringWave: boolean }>;
  /** VmHWM of each server process, bytes. */
  peakRss: Array<number | null>;
  claims: ClaimFigures | null;
  statements: StatementFigures[] | null;
  totalSeconds: number;
}

const MB = 2 ** 20;
const whole = (value: number) => Math.round(value).toLocaleString('en');
const secondsText = (value: number | null) => (value === null ? 'never' : `${value.toFixed(1)} s`);

/** A Markdown table: first column left-aligned, the others right-aligned. */
export function markdownTable(header: string[], body: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 3)}...` : text;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The queue bench's figures as Markdown, ready for the README and an issue's closing note. */
export function formatReport(report: QueueReport): string {
  const byStatus = new Map<string, number>();
  const byInstance = new Map<string, number>();
  for (const row of report.outcomes) {
    byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + row.runs);
    if (row.claimed_by) byInstance.set(row.claimed_by, (byInstance.get(row.claimed_by) ?? 0) + row.runs);
  }
  const latencies = report.onDemand.flatMap((ask) => (ask.seconds === null ? [] : [ask.seconds]));
  const arrived = `${latencies.length} of ${report.onDemand.length} arrived, ${report.onDemand.filter((ask) => ask.duringWave).length} asked during the wave`;
  const { emailsPerDueTime: perDue, claims } = report;
  const rows: string[][] = [
    ['time until all are sent (from the due time)', secondsText(report.allSentSeconds)],
    ['first email (from the due time)', secondsText(report.firstSentSeconds)],
    ['emails per due time: 0 / 1 / >1', `${perDue.none} / ${perDue.one} / ${perDue.more}`],
    [
      'runs queued during the bench, by status',
      [...byStatus].map(([status, runs]) => `${status} ${whole(runs)}`).join(', ') || 'none',
    ],
    ['runs per instance', [...byInstance.values()].map(whole).join(' / ') || 'none'],
    [
      'on-demand: POST /exports to email, median / max',
      latencies.length
        ? `${median(latencies).toFixed(1)} s / ${Math.max(...latencies).toFixed(1)} s (${arrived})`
        : `none (${arrived})`,
    ],
    [
      'peak RSS per instance (VmHWM)',
      report.peakRss.map((bytes) => (bytes === null ? '?' : `${whole(bytes / MB)}`)).join(' / ') + ' MB',
    ],
  ];
  if (claims) {
    rows.push(
      ['claims (taken a run / all)', `${whole(claims.taken)} / ${whole(claims.claims)}`],
      ['slowest claim (BEGIN to COMMIT)', `${claims.slowestMs.toFixed(1)} ms`],
      [
        'rows examined per claim, max / mean',
        `${whole(claims.rowsExaminedMax)} / ${claims.rowsExaminedMean.toFixed(1)}`,
      ],
      ['rows examined per locking read, max', whole(claims.probeRowsExaminedMax)],
    );
  }
  const settings = Object.entries(report.serverEnv)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  const lines = [
    `Queue bench: ${report.processes} server processes, ${whole(report.schedules)} schedules due at ${report.dueAt.toISOString()} (${whole(report.users)} users in all), ${whole(report.history)} finished runs before; server settings: ${settings || 'defaults'}`,
    '',
    markdownTable(['figure', 'value'], rows),
  ];
  if (report.timedOut)
    lines.push('', 'The wave did not finish within --timeout: the figures are what had happened by then.');
  if (report.statements?.length) {
    lines.push(
      '',
      'Statements the server processes repeated on the export tables (literals as ?), most rows examined first:',
      '',
      markdownTable(
        ['statement', 'count', 'rows examined max', 'mean', 'slowest ms'],
        report.statements.slice(0, 12).map((s) => [
          // Identifiers lose their backticks, which would end the Markdown code span.
          `\`${shorten(s.shape.replace(/`/g, ''), 110)}\``,
          whole(s.count),
          whole(s.rowsExaminedMax),
          s.rowsExaminedMean.toFixed(1),
          s.slowestMs.toFixed(1),
        ]),
      ),
    );
  }
  lines.push(
    '',
    `Setup: customers generated in ${report.setup.customersSeconds.toFixed(0)} s, history inserted in ${report.setup.historySeconds.toFixed(0)} s; whole bench ${report.totalSeconds.toFixed(0)} s.`,
  );
  return lines.join('\n');
}
