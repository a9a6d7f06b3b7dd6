import { SpotlightCommand } from '../../base-command';
import { exitCodesHelp } from '../../exit-codes';
import { findSchedule, operatorFlag, operatorOf, scheduleIdArg } from '../../schedules';

export interface SchedulesRunResult {
  /** The queued run: "spotlight exports list" shows how it ends. */
  runId: number;
  scheduleId: number;
  customer: string;
  recipient: string;
  /** ISO 8601; null: all activity. */
  since: string | null;
  until: string | null;
  status: 'queued';
}

export default class SchedulesRun extends SpotlightCommand<SchedulesRunResult> {
  static override summary = 'Queue one run of an export schedule now, for the server to send.';

  static override description = `The run is queued as the scheduler queues a due one, paused schedule or not, and a running server sends it within seconds; its period ends now. The recipient is checked first (and again when the server sends it). "spotlight exports list --source schedule" shows how it ends. The audit trail records who queued it.

${exitCodesHelp('CUSTOMER_NOT_FOUND', 'RECIPIENT_NOT_ALLOWED', 'DATABASE_UNAVAILABLE')}`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> 3',
    '<%= config.bin %> <%= command.id %> 3 --operator "jane (ticket 1234)" --json',
  ];

  static override args = scheduleIdArg;

  static override flags = operatorFlag;

  async run(): Promise<SchedulesRunResult> {
    const { args, flags } = await this.parse(SchedulesRun);
    const operator = operatorOf(flags.operator);
    const schedule = await findSchedule(this.services, args.id);
    const run = await this.services.schedules.runNow(schedule, operator);
    this.log(
      `Queued export ${run.id} of schedule ${schedule.id} (${run.customer} to ${run.recipient}); a running server sends it, and "spotlight exports list" shows how it ends.`,
    );
    return {
      runId: run.id,
      scheduleId: schedule.id,
      customer: run.customer,
      recipient: run.recipient,
      since: run.since?.toISOString() ?? null,
      until: run.until?.toISOString() ?? null,
      status: 'queued',
    };
  }
}
