import { Flags } from '@oclif/core';
import { parseName } from '@spotlight/core';
import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import {
  describeSchedule,
  findSchedule,
  operatorFlag,
  operatorOf,
  scheduleIdArg,
  toScheduleEntry,
  type ScheduleChangeResult,
} from '../../schedules';

export default class SchedulesPause extends SpotlightCommand<ScheduleChangeResult> {
  static override summary =
    'Pause an export schedule: the server sends none of its runs until it is resumed.';

  static override description = `A pause is never refused, whoever the recipient is now. Runs already queued still go. The audit trail records who paused it and why.

${exitCodesHelp('DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 3 --reason "manager on leave (ticket 1234)"',
    '<%= config.bin %> <%= command.id %> 3 --operator jane --json',
  ];

  static override args = scheduleIdArg;

  static override flags = {
    reason: Flags.string({ summary: 'Why, as the audit trail records it.' }),
    ...operatorFlag,
  };

  async run(): Promise<ScheduleChangeResult> {
    const { args, flags } = await this.parse(SchedulesPause);
    const operator = operatorOf(flags.operator);
    const reason = parseName('--reason', flags.reason, 500) ?? null;
    const found = await findSchedule(this.services, args.id);
    const { schedule, changed } = await this.services.schedules.pause(found, operator, reason);
    const entry = toScheduleEntry(schedule);
    this.log(
      `${changed ? `Paused schedule ${entry.id}.` : `Schedule ${entry.id} was paused already.`}\n${describeSchedule(entry)}`,
    );
    return { schedule: entry, changed };
  }
}
