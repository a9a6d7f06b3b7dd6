import { Flags } from '@oclif/core';
import {
  RUN_SOURCES,
  RUN_STATUSES,
  parseCustomer,
  type RunRecord,
  type RunSource,
  type RunStatus,
} from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { formatTable } from '../../table';

/** One export as `--json` shows it. */
export interface ExportHistoryEntry {
  id: number;
  source: RunSource;
  operator: string | null;
  customer: string;
  recipient: string;
  since: string | null;
  until: string | null;
  status: RunStatus;
  delivery: RunRecord['delivery'];
  linkExpiresAt: string | null;
  active: number | null;
  inactive: number | null;
  bytes: number | null;
  queries: number | null;
  durationMs: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The email's Message-ID, once one was sent or may have been. */
  messageId: string | null;
  /** The export this one sent again on purpose. */
  resendOf: number | null;
  error: string | null;
  errorCode: string | null;
}

export interface ExportsListResult {
  exports: ExportHistoryEntry[];
}

export default class ExportsList extends SpotlightCommand<ExportsListResult> {
  static override summary = 'Show the export history: CLI, API and scheduled exports, newest first.';

  static override description = `Every export is recorded, refused and failed ones included, with who ran it (the OS user or --operator for the CLI, the token for the API, the schedule), the customer, the recipient, the range, the outcome, the counts, the size and the duration. The server's history is the same one.

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -c example.com --status failed',
    '<%= config.bin %> <%= command.id %> --status unconfirmed',
    '<%= config.bin %> <%= command.id %> --source cli --limit 50 --json',
  ];

  static override flags = {
    customer: Flags.string({ char: 'c', summary: "Only this customer's exports (its domain)." }),
    status: Flags.option({ options: RUN_STATUSES, summary: 'Only exports with this outcome.' })(),
    source: Flags.option({ options: RUN_SOURCES, summary: 'Only exports asked for this way.' })(),
    limit: Flags.integer({ summary: 'How many to show, newest first.', default: 20, min: 1, max: 1000 }),
  };

  async run(): Promise<ExportsListResult> {
    const { flags } = await this.parse(ExportsList);
    const runs = await this.services.runs.list({
      customer: flags.customer === undefined ? undefined : parseCustomer(flags.customer),
      status: flags.status,
      source: flags.source,
      limit: flags.limit,
    });
    const exports = runs.map(toEntry);
    this.log(
      exports.length === 0
        ? 'No exports recorded yet.'
        : formatTable(
            ['ID', 'FINISHED', 'SOURCE', 'BY', 'CUSTOMER', 'RECIPIENT', 'STATUS', 'USERS', 'DETAIL'],
            exports.map((entry) => [
              String(entry.id),
              entry.finishedAt ?? entry.startedAt ?? '',
              entry.source,
              entry.operator ?? '',
              entry.customer,
              entry.recipient,
              entry.status,
              entry.active === null ? '' : `${entry.active}/${entry.inactive}`,
              entry.error ?? entry.delivery ?? '',
            ]),
          ),
    );
    return { exports };
  }
}

function toEntry(run: RunRecord): ExportHistoryEntry {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: run.id,
    source: run.source,
    operator: run.operator,
    customer: run.customer,
    recipient: run.recipient,
    since: iso(run.since),
    until: iso(run.until),
    status: run.status,
    delivery: run.delivery,
    linkExpiresAt: iso(run.linkExpiresAt),
    active: run.active,
    inactive: run.inactive,
    bytes: run.bytes,
    queries: run.queries,
    durationMs: run.durationMs,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    messageId: run.messageId,
    resendOf: run.resendOf,
    error: run.error,
    errorCode: run.errorCode,
  };
}
