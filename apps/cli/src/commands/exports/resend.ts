import { Args, Flags } from '@oclif/core';
import { InvalidInputError, parseName, resendRequest } from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { describeExport, exportResult, osUser, type UserActivityExportResult } from '../export/user-activity';

export default class ExportsResend extends SpotlightCommand<UserActivityExportResult> {
  static override summary = 'Send a failed or unconfirmed export again, on purpose, from this CLI.';

  static override description = `Builds the export of the history entry ID again (same customer, recipient, period and time zone) and emails it, as "spotlight export user-activity" would; the recipient is checked again. The new entry in the history names the one it resends, and who resent it.

An unconfirmed export (exit code 9, status "unconfirmed") may already be in the manager's mailbox: its Message-ID is in "spotlight exports list". Check with the manager or the mail server's log first.

${exitCodesHelp('CUSTOMER_NOT_FOUND', 'RECIPIENT_NOT_ALLOWED', 'MAIL_FAILED', 'DATABASE_UNAVAILABLE', 'EXPORT_IN_PROGRESS', 'STORAGE', 'DELIVERY_UNCONFIRMED')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 42',
    '<%= config.bin %> <%= command.id %> 42 --operator "Jane (ticket 1234)" --json',
  ];

  static override args = {
    id: Args.string({ required: true, description: 'The export id, as "spotlight exports list" shows it.' }),
  };

  static override flags = {
    operator: Flags.string({
      summary: 'Who resends it, as the history records it; the OS user by default.',
    }),
  };

  async run(): Promise<UserActivityExportResult> {
    const { args, flags } = await this.parse(ExportsResend);
    if (!/^[1-9]\d{0,14}$/.test(args.id))
      throw new InvalidInputError(
        `The export id must be a whole number, as "spotlight exports list" shows it.`,
      );
    const id = Number(args.id);
    const operator = parseName('--operator', flags.operator, 200) ?? osUser();
    const original = await this.services.runs.findById(id);
    if (!original)
      throw new InvalidInputError(`No export has the id ${id}; "spotlight exports list" shows them.`);
    const summary = await this.services.exports.exportToEmail(resendRequest(original), {
      holder: `cli: ${operator}`,
      record: { source: 'cli', operator, resendOf: id },
    });
    const result = exportResult(summary, this.services.mail.destination);
    this.log(`Resent export ${id}.\n${describeExport(result, false)}`);
    for (const warning of summary.warnings) process.stderr.write(`Warning: ${warning}\n`);
    return result;
  }
}
