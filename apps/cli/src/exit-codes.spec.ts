import { Errors } from '@oclif/core';
import {
  ConfigurationError,
  CustomerNotFoundError,
  DatabaseUnavailableError,
  ExportInProgressError,
  InvalidInputError,
  StorageError,
  MailDeliveryError,
  RecipientNotAllowedError,
} from '@spotlight/core';
import { describeFailure, EXIT_CODES } from './exit-codes';

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
