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

export default class SchedulesResume extends SpotlightCommand<ScheduleChangeResult> {
  static override summary = 'Resume a paused export schedule from its next due time.';

  static override description = `The recipient is checked again first, as the API does: it must still be an active manager of that customer, or the schedule stays paused. It is refused too (exit 2) while an identical schedule (same customer, recipient, cron, time zone and window) is enabled: pause or delete that one first. Due times missed while paused are not sent. The audit trail records who resumed it.

${exitCodesHelp('CUSTOMER_NOT_FOUND', 'RECIPIENT_NOT_ALLOWED', 'DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 3',
    '<%= config.bin %> <%= command.id %> 3 --operator jane --json',
  ];

  static override args = scheduleIdArg;

  static override flags = operatorFlag;

  async run(): Promise<ScheduleChangeResult> {
    const { args, flags } = await this.parse(SchedulesResume);
    const operator = operatorOf(flags.operator);
    const found = await findSchedule(this.services, args.id);
    const { schedule, changed } = await this.services.schedules.resume(found, operator);
    const entry = toScheduleEntry(schedule);
    this.log(
      `${changed ? `Resumed schedule ${entry.id}.` : `Schedule ${entry.id} was enabled already.`}\n${describeSchedule(entry)}`,
    );
    return { schedule: entry, changed };
  }
}
