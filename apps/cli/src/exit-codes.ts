import {
  DeliveryUnconfirmedError,
  ExportInterruptedError,
  isSpotlightError,
  type ErrorCode,
} from '@spotlight/core';

/** The CLI's documented exit codes. */
export const EXIT_CODES = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  CUSTOMER_NOT_FOUND: 3,
  RECIPIENT_NOT_ALLOWED: 4,
  MAIL_FAILED: 5,
  DATABASE_UNAVAILABLE: 6,
  EXPORT_IN_PROGRESS: 7,
  STORAGE: 8,
  DELIVERY_UNCONFIRMED: 9,
  INTERRUPTED_BY_SIGINT: 130,
  INTERRUPTED_BY_SIGTERM: 143,
} as const;

/** What each exit code means, as a command's --help lists it. */
const EXIT_CODE_MEANINGS = {
  OK: 'done',
  UNEXPECTED: 'unexpected failure',
  USAGE: 'bad usage or configuration',
  CUSTOMER_NOT_FOUND: 'unknown customer',
  RECIPIENT_NOT_ALLOWED: 'recipient not allowed',
  MAIL_FAILED: 'mail could not be sent',
  DATABASE_UNAVAILABLE: 'database unavailable',
  EXPORT_IN_PROGRESS: 'an export of that customer is already running',
  STORAGE: 'a local file could not be written (disk full, read-only)',
  DELIVERY_UNCONFIRMED:
    'delivery unconfirmed: the mail server may have accepted it, check before sending again',
} as const satisfies Partial<Record<keyof typeof EXIT_CODES, string>>;

/** An exit code a command may return besides those every command may: 0, 1, 2, 130 and 143. */
export type CommandExitCode = Exclude<keyof typeof EXIT_CODE_MEANINGS, 'OK' | 'UNEXPECTED' | 'USAGE'>;

/**
 * The "Exit codes:" paragraph of a command's --help: those every command may
 * return (done, a bug, bad usage, interrupted) and the `codes` this one may.
 */
export function exitCodesHelp(...codes: CommandExitCode[]): string {
  const listed = (['OK', 'UNEXPECTED', 'USAGE', ...codes] as const)
    .map((name) => [EXIT_CODES[name], EXIT_CODE_MEANINGS[name]] as const)
    .sort(([a], [b]) => a - b)
    .map(([code, meaning]) => `${code} ${meaning}`);
  return `Exit codes: ${[...listed, '130/143 interrupted (SIGINT/SIGTERM)'].join('; ')}.`;
}

// A Record over every core code: a new code in core fails the build until it is mapped here.
const BY_ERROR_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: EXIT_CODES.USAGE,
  CONFIGURATION: EXIT_CODES.USAGE,
  CUSTOMER_NOT_FOUND: EXIT_CODES.CUSTOMER_NOT_FOUND,
  RECIPIENT_NOT_ALLOWED: EXIT_CODES.RECIPIENT_NOT_ALLOWED,
  MAIL_FAILED: EXIT_CODES.MAIL_FAILED,
  DELIVERY_UNCONFIRMED: EXIT_CODES.DELIVERY_UNCONFIRMED,
  EXPORT_NOT_RESENDABLE: EXIT_CODES.USAGE,
  SCHEDULE_CONFLICT: EXIT_CODES.USAGE,
  DATABASE_UNAVAILABLE: EXIT_CODES.DATABASE_UNAVAILABLE,
  // Only the server serves download links; the CLI never sees these.
  DOWNLOAD_NOT_FOUND: EXIT_CODES.UNEXPECTED,
  DOWNLOAD_EXPIRED: EXIT_CODES.UNEXPECTED,
  EXPORT_IN_PROGRESS: EXIT_CODES.EXPORT_IN_PROGRESS,
  STORAGE: EXIT_CODES.STORAGE,
  // Only a signal interrupts an export, and describeInterruption then gives its number.
  INTERRUPTED: EXIT_CODES.INTERRUPTED_BY_SIGINT,
};

/** The code printed in `--json` errors: core's codes (INTERRUPTED among them), plus two of the CLI's own. */
export type CliErrorCode = ErrorCode | 'USAGE' | 'UNEXPECTED';

export interface CliFailure {
  code: CliErrorCode;
  exitCode: number;
  message: string;
}

/** Translates anything a command threw into what the user is told and the exit code. */
export function describeFailure(error: unknown): CliFailure {
  if (isSpotlightError(error)) {
    return { code: error.code, exitCode: BY_ERROR_CODE[error.code], message: oneLine(error.message) };
  }
  if (isOclifUsageError(error)) {
    return { code: 'USAGE', exitCode: EXIT_CODES.USAGE, message: oneLine(error.message) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'UNEXPECTED',
    exitCode: EXIT_CODES.UNEXPECTED,
    message: oneLine(message) || 'Unexpected failure',
  };
}

/**
 * A command stopped by Ctrl-C (SIGINT) or SIGTERM: the conventional 128 +
 * signal number, and what became of an export's email when `error` says.
 */
export function describeInterruption(signal: NodeJS.Signals, error?: unknown): CliFailure {
  const by = `Interrupted by ${signal}`;
  let message = `${by}.`;
  if (error instanceof DeliveryUnconfirmedError) {
    const id = error.historyId;
    const recorded =
      typeof id === 'number' ? `the history records it as export ${id}, unconfirmed` : notRecorded(id);
    message = `${by} after the whole email was handed to the mail server: it may have arrived (Message-ID ${error.messageId}), and ${recorded}; check the recipient's mailbox before resending it with "spotlight exports resend${typeof id === 'number' ? ` ${id}` : ''}".`;
  } else if (error instanceof ExportInterruptedError) {
    const id = error.historyId;
    const recorded =
      typeof id === 'number'
        ? `the history records it as export ${id}, failed (INTERRUPTED)`
        : notRecorded(id);
    message = `${by} before the email was sent: nothing was sent, and ${recorded}; run it again to send it.`;
  }
  return {
    code: 'INTERRUPTED',
    exitCode: signal === 'SIGINT' ? EXIT_CODES.INTERRUPTED_BY_SIGINT : EXIT_CODES.INTERRUPTED_BY_SIGTERM,
    message,
  };
}

/** What the line says of the history when the failure is not in it: it could not be written, or none is kept. */
function notRecorded(id: null | undefined): string {
  return id === null ? 'the history could not record it' : 'no history was kept';
}

/** oclif's own parse errors (missing flag, bad option, ...) carry `oclif.exit` = 2. */
function isOclifUsageError(error: unknown): error is Error {
  const exit = (error as { oclif?: { exit?: unknown } } | null)?.oclif?.exit;
  return error instanceof Error && exit === EXIT_CODES.USAGE;
}

// oclif's parse errors span lines ("Missing required flag customer\nSee more help with --help").
function oneLine(message: string): string {
  const lines = message
    .replace(/^The following errors? occurred:\s*/, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length <= 1) return lines[0] ?? '';
  return lines.map((line) => (/[.!?:]$/.test(line) ? line : `${line}.`)).join(' ');
}
