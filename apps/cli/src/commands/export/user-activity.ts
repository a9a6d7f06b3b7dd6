import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Flags } from '@oclif/core';
import {
  describeRange,
  describeRangeInDays,
  formatBytes,
  InvalidInputError,
  parseDatabaseUrl,
  parseName,
  parseWorkbookPath,
  parseRequestedBy,
  removeUnfinishedSync,
  type ExportSummary,
} from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { collectBuffersAbove, collectNow } from '../../buffer-collector';
import { exportProgress } from '../../progress';

/** What `--json` prints: the export's summary and where the email went. */
export interface UserActivityExportResult extends ExportSummary {
  /** The SMTP server (password masked) or outbox the email went to; null on a dry run. */
  deliveredVia: string | null;
  /** The range as asked, in days of timeZone: "from 2026-01-01 to 2026-03-31", or "all time". */
  period: string;
}

export default class ExportUserActivity extends SpotlightCommand<UserActivityExportResult> {
  static override summary = "Email a customer's user activity workbook to one of that customer's managers.";

  static override description = `Builds an .xlsx workbook of every user of the customer's site and their activity (users with and without activity on separate sheets) and emails it to the recipient, who must be an active manager of that same customer. With SMTP_URL unset the email is written as an .eml file into the outbox folder instead.

--since and --until filter activity by when it was created, from --since up to but excluding --until; a bare --until date covers that whole day. The summary says the range back in days of --time-zone, as asked; --verbose adds it as UTC instants, with the number of SQL statements. Comment likes and community memberships have no date: they are listed "(all time)" but are nobody's activity in a range.

${exitCodesHelp('CUSTOMER_NOT_FOUND', 'RECIPIENT_NOT_ALLOWED', 'MAIL_FAILED', 'DATABASE_UNAVAILABLE', 'EXPORT_IN_PROGRESS', 'STORAGE', 'DELIVERY_UNCONFIRMED')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -c example.com -e manager@example.com',
    '<%= config.bin %> <%= command.id %> -c example.com -e manager@example.com --since 2026-01-01 --until 2026-03-31',
    '<%= config.bin %> <%= command.id %> -c example.com -e manager@example.com --since 2026-01-01 --time-zone Europe/Paris',
    '<%= config.bin %> <%= command.id %> -c example.com -e manager@example.com --requested-by "Jane Doe, Spotlight support"',
    '<%= config.bin %> <%= command.id %> -c example.com -e manager@example.com --dry-run --out activity.xlsx',
    '<%= config.bin %> <%= command.id %> -c example.com -e manager@example.com --json',
  ];

  static override flags = {
    customer: Flags.string({
      char: 'c',
      summary: "The customer's domain, as in django_site.domain.",
      required: true,
    }),
    email: Flags.string({
      char: 'e',
      summary: 'The recipient: an active manager of that customer.',
      required: true,
    }),
    since: Flags.string({
      summary: 'Only activity created on or after this date (YYYY-MM-DD, in --time-zone) or date-time.',
    }),
    until: Flags.string({
      summary:
        'Only activity created before this date-time, or before the end of this date (YYYY-MM-DD, in --time-zone: the whole day counts).',
    }),
    'time-zone': Flags.string({
      summary:
        'IANA time zone (e.g. Europe/Paris) for bare --since/--until dates and for every date in the workbook and the email; UTC by default.',
    }),
    out: Flags.string({ summary: 'Also keep the workbook at this path, a name ending in .xlsx.' }),
    operator: Flags.string({
      summary: 'Who runs the export, as the history records it; the OS user by default.',
    }),
    'requested-by': Flags.string({
      summary:
        'Who the email says asked for it, e.g. "Jane Doe, Spotlight support" (one line, at most 200 characters); "Spotlight support" by default.',
    }),
    'dry-run': Flags.boolean({ summary: 'Build the workbook but send nothing.' }),
    verbose: Flags.boolean({
      summary: 'Also print the range as UTC instants and the number of SQL statements the export ran.',
    }),
  };

  /** Refuses an --out that names something the workbook must not replace. */
  private refuseOut(out: string, existing: fs.Stats): void {
    if (existing.isDirectory()) {
      throw new InvalidInputError(
        `--out ${out} is a folder; give a file name, e.g. ${path.join(out, 'activity.xlsx')}.`,
      );
    }
    // A device (/dev/null run as root, say) or a pipe would be replaced by the file.
    if (!existing.isFile())
      throw new InvalidInputError(`--out ${out} is not a regular file; give a file name.`);
    const { dialect, connection } = parseDatabaseUrl(this.services.settings.databaseUrl);
    const database = dialect === 'sqlite' ? (connection as { filename: string }).filename : null;
    const same = database && fs.existsSync(database) ? fs.statSync(database) : null;
    if (same && same.dev === existing.dev && same.ino === existing.ino)
      throw new InvalidInputError(
        `--out ${out} is the database itself (DATABASE_URL); give another file name.`,
      );
  }

  async run(): Promise<UserActivityExportResult> {
    const { flags } = await this.parse(ExportUserActivity);
    const outExisted = flags.out !== undefined && fs.existsSync(flags.out);
    // What --out names says more than its extension: a folder, a pipe, the database itself.
    if (flags.out && outExisted) this.refuseOut(flags.out, fs.statSync(flags.out));
    if (flags.out !== undefined) parseWorkbookPath('--out', flags.out);
    this.services.checkDataFolders();
    const progress = exportProgress(flags.customer, { enabled: this.interactive });
    this.onInterrupt(() => progress.stop());
    if (flags.out) {
      const out = path.resolve(flags.out);
      this.onInterrupt(() => removeUnfinishedSync(out));
      if (!outExisted) this.onInterrupt(() => fs.rmSync(out, { force: true }));
    }
    let summary: ExportSummary;
    const stopCollecting = collectBuffersAbove();
    try {
      const operator = parseName('--operator', flags.operator, 200) ?? osUser();
      const requestedBy = parseRequestedBy(flags['requested-by'], '--requested-by');
      summary = await this.services.exports.exportToEmail(
        {
          customer: flags.customer,
          recipient: flags.email,
          since: flags.since,
          until: flags.until,
          timeZone: flags['time-zone'],
        },
        {
          dryRun: flags['dry-run'],
          saveTo: flags.out,
          onProgress: (users) => progress.update(users),
          holder: `cli: ${operator}`,
          signal: this.abortSignal,
          record: { source: 'cli', operator, requestedBy },
          // The email names a person only when asked: never the operator's account.
          requestedBy: requestedBy ? { kind: 'person', name: requestedBy } : undefined,
          // The user sheets' garbage is collected before the Communities sheet
          // and before the email, so that it does not add to either.
          betweenSheets: collectNow,
          beforeDelivery: async () => collectNow(),
        },
      );
    } finally {
      stopCollecting();
      progress.stop();
    }
    const result = exportResult(summary, this.services.mail.destination);
    this.log(describeExport(result, flags.verbose));
    // The email went: a rerun would send a second one, so these warn and the exit code stays 0.
    for (const warning of summary.warnings) process.stderr.write(`Warning: ${warning}\n`);
    return result;
  }
}

/** What `--json` prints for an export, `destination` being where its email went. */
export function exportResult(summary: ExportSummary, destination: string): UserActivityExportResult {
  return {
    ...summary,
    deliveredVia: summary.sent ? destination : null,
    period: describeRangeInDays(rangeOf(summary), summary.timeZone),
  };
}

function rangeOf({ since, until }: ExportSummary) {
  return { since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined };
}

// Said back in the terms asked: days of --time-zone, the --until day included.
function describeActivityRange(result: UserActivityExportResult): string {
  if (!result.since && !result.until) return '';
  return `, activity ${result.period} (${result.timeZone})`;
}

export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

export function describeExport(result: UserActivityExportResult, verbose: boolean): string {
  // "Active" is an account's state in Spotlight: these users are counted by their activity.
  const lines = [
    `Exported ${result.customer} (${result.customerName})${describeActivityRange(result)}: ` +
      `${result.active} users with activity and ${result.inactive} without, ` +
      `${formatBytes(result.bytes)}, ${(result.durationMs / 1000).toFixed(1)} s.`,
  ];
  if (verbose) {
    lines.push(`Range in UTC: ${describeRange(rangeOf(result))}.`);
    lines.push(`SQL statements: ${result.queries}, on every database the export touched.`);
  }
  if (!result.sent) {
    lines.push(
      `Dry run: nothing was sent (${result.recipient} would have received ${result.attachmentName}).`,
    );
  } else if (result.outboxPath) {
    lines.push(`Email to ${result.recipient} with ${result.attachmentName} written to ${result.outboxPath}`);
  } else if (result.downloadUrl) {
    lines.push(
      `Too big to attach: emailed a link to ${result.recipient} through ${result.deliveredVia}, valid until ${result.expiresAt}: ${result.downloadUrl}`,
    );
  } else {
    lines.push(`Emailed ${result.attachmentName} to ${result.recipient} through ${result.deliveredVia}.`);
  }
  if (result.savedTo) lines.push(`Workbook saved to ${result.savedTo}`);
  return lines.join('\n');
}
