import { Errors } from '@oclif/core';
import {
  ConfigurationError,
  CustomerNotFoundError,
  DatabaseUnavailableError,
  DeliveryUnconfirmedError,
  ExportInProgressError,
  ExportInterruptedError,
  InvalidInputError,
  StorageError,
  MailDeliveryError,
  RecipientNotAllowedError,
} from '@spotlight/core';
import { describeFailure, describeInterruption, EXIT_CODES } from './exit-codes';

describe('describeFailure', () => {
  it.each([
    [new InvalidInputError('bad date'), 'INVALID_INPUT', 2],
    [new ConfigurationError('bad SMTP_URL'), 'CONFIGURATION', 2],
    [new CustomerNotFoundError('nope.example.com'), 'CUSTOMER_NOT_FOUND', 3],
    [
      new RecipientNotAllowedError('a@b.com', 'example.com', 'not-a-manager', 'not a manager'),
      'RECIPIENT_NOT_ALLOWED',
      4,
    ],
    [new MailDeliveryError('refused'), 'MAIL_FAILED', 5],
    [new DatabaseUnavailableError('down'), 'DATABASE_UNAVAILABLE', 6],
    [new ExportInProgressError('example.com', 'cli: alice on host1 (pid 42)', null), 'EXPORT_IN_PROGRESS', 7],
    [new StorageError('Cannot write x: the disk is full (ENOSPC).'), 'STORAGE', 8],
  ])('maps %p to %s and exit code %i', (error, code, exitCode) => {
    expect(describeFailure(error)).toEqual({ code, exitCode, message: error.message });
  });

  it("treats oclif's parse errors as bad usage, on one line", () => {
    const error = new Errors.CLIError('Missing required flag email\nSee more help with --help', { exit: 2 });
    expect(describeFailure(error)).toEqual({
      code: 'USAGE',
      exitCode: EXIT_CODES.USAGE,
      message: 'Missing required flag email. See more help with --help.',
    });
  });

  it('reports anything else as unexpected, exit code 1', () => {
    expect(describeFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toEqual({
      code: 'UNEXPECTED',
      exitCode: 1,
      message: "Cannot read properties of undefined (reading 'x')",
    });
    expect(describeFailure('thrown string')).toMatchObject({ exitCode: 1, message: 'thrown string' });
  });
});

describe('describeInterruption', () => {
  const interrupted = (historyId?: number | null) => {
    const error = new ExportInterruptedError('SIGINT');
    if (historyId !== undefined) error.historyId = historyId;
    return error;
  };
  const unconfirmed = (historyId?: number | null) => {
    const error = new DeliveryUnconfirmedError('<m@example.com>', 'aborted');
    if (historyId !== undefined) error.historyId = historyId;
    return error;
  };

  it('says where the history recorded the export, or that it could not', () => {
    expect(describeInterruption('SIGINT', interrupted(12))).toEqual({
      code: 'INTERRUPTED',
      exitCode: 130,
      message:
        'Interrupted by SIGINT before the email was sent: nothing was sent, and the history records it as export 12, failed (INTERRUPTED); run it again to send it.',
    });
    expect(describeInterruption('SIGTERM', interrupted(null))).toMatchObject({
      exitCode: 143,
      message:
        'Interrupted by SIGTERM before the email was sent: nothing was sent, and the history could not record it; run it again to send it.',
    });
    expect(describeInterruption('SIGINT', interrupted()).message).toContain('and no history was kept;');
  });

  it('names the export to resend when the email may have arrived', () => {
    expect(describeInterruption('SIGINT', unconfirmed(7)).message).toBe(
      'Interrupted by SIGINT after the whole email was handed to the mail server: it may have arrived (Message-ID <m@example.com>), and the history records it as export 7, unconfirmed; check the recipient\'s mailbox before resending it with "spotlight exports resend 7".',
    );
    expect(describeInterruption('SIGINT', unconfirmed(null)).message).toContain(
      'and the history could not record it; check the recipient\'s mailbox before resending it with "spotlight exports resend".',
    );
  });

  it('says only the signal for a command that stops at once', () => {
    expect(describeInterruption('SIGTERM')).toEqual({
      code: 'INTERRUPTED',
      exitCode: 143,
      message: 'Interrupted by SIGTERM.',
    });
  });
});
