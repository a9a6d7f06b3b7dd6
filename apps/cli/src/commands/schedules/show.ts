import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import {
  describeShownSchedule,
  findSchedule,
  scheduleIdArg,
  toShownSchedule,
  type ShownSchedule,
} from '../../schedules';

export default class SchedulesShow extends SpotlightCommand<ShownSchedule> {
  static override summary =
    'Show one export schedule: when it is next due, why it is paused, and its last run.';

  static override description = exitCodesHelp('DATABASE_UNAVAILABLE');

  static override examples = [
    '<%= config.bin %> <%= command.id %> 3',
    '<%= config.bin %> <%= command.id %> 3 --json',
  ];

  static override args = scheduleIdArg;

  async run(): Promise<ShownSchedule> {
    const { args } = await this.parse(SchedulesShow);
    const schedule = await findSchedule(this.services, args.id);
    const state = (await this.services.schedules.stateOf([schedule])).get(schedule.id)!;
    const shown = toShownSchedule(schedule, state);
    this.log(describeShownSchedule(shown));
    return shown;
  }
}
