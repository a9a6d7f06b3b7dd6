import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import {
  describeSchedule,
  findSchedule,
  scheduleIdArg,
  toScheduleEntry,
  type ScheduleEntry,
} from '../../schedules';

export default class SchedulesShow extends SpotlightCommand<ScheduleEntry> {
  static override summary = 'Show one export schedule, with when it is next due.';

  static override description = exitCodesHelp('DATABASE_UNAVAILABLE');

  static override examples = [
    '<%= config.bin %> <%= command.id %> 3',
    '<%= config.bin %> <%= command.id %> 3 --json',
  ];

  static override args = scheduleIdArg;

  async run(): Promise<ScheduleEntry> {
    const { args } = await this.parse(SchedulesShow);
    const entry = toScheduleEntry(await findSchedule(this.services, args.id));
    this.log(describeSchedule(entry));
    return entry;
  }
}
