import { Flags } from '@oclif/core';
import { parseCustomer, SCHEDULE_STATUSES } from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { toScheduleEntry, type ScheduleEntry } from '../../schedules';
import { formatTable } from '../../table';

export interface SchedulesListResult {
  schedules: ScheduleEntry[];
}

export default class SchedulesList extends SpotlightCommand<SchedulesListResult> {
  static override summary = 'List the export schedules the server sends, by id.';

  static override description = `The same schedules as the server's API: customer, recipient, cron and time zone, period, whether enabled or paused, and when each is next due (UTC).

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -c example.com --status paused',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = {
    customer: Flags.string({ char: 'c', summary: "Only this customer's schedules (its domain)." }),
    status: Flags.option({ options: SCHEDULE_STATUSES, summary: 'Only enabled or only paused schedules.' })(),
  };

  async run(): Promise<SchedulesListResult> {
    const { flags } = await this.parse(SchedulesList);
    const records = await this.services.schedules.list({
      customer: flags.customer === undefined ? undefined : parseCustomer(flags.customer),
      status: flags.status,
    });
    const schedules = records.map(toScheduleEntry);
    this.log(
      schedules.length === 0
        ? 'No schedules.'
        : formatTable(
            ['ID', 'CUSTOMER', 'RECIPIENT', 'CRON', 'TIME ZONE', 'STATUS', 'NEXT DUE'],
            schedules.map((entry) => [
              String(entry.id),
              entry.customer,
              entry.recipient,
              entry.cron,
              entry.timeZone,
              entry.status,
              entry.nextDueAt ?? '-',
            ]),
          ),
    );
    return { schedules };
  }
}
