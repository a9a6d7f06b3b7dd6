import type { AuditRepository } from '../audit/audit.repository';
import type { ScheduleRecord } from '../db/models/schedule.model';
import type { RecipientCheck } from '../export/recipient.guard';
import type { RunRecord, RunRepository } from '../runs/run.repository';
import { ScheduleConflictError } from './schedule-conflict.error';
import { parseCron } from './schedule.rules';
import { scheduleWindow } from './schedule-window';
import { currentPauses, PAUSING_ACTIONS, scheduleTarget, type SchedulePause } from './schedule-pause';
import type { ScheduleRepository, ScheduleStatus } from './schedule.repository';

/** Checks that a recipient may receive a customer's export (the export's own guard). */
export interface RecipientChecker {
  checkRecipient(customer: string, recipient: string): Promise<RecipientCheck>;
}

/** Who acts: an operator's name (the CLI), or an API token (the server). */
export type ScheduleActor = string | { operator: null; tokenId: number };

/** What a pause or resume did: the schedule as it is now, and whether this call changed it. */
export interface ScheduleChange {
  schedule: ScheduleRecord;
  changed: boolean;
}

/** How a schedule stands beside its settings: its newest run, and while paused, why. */
export interface ScheduleState {
  lastRun: RunRecord | null;
  pause: SchedulePause | null;
}

/**
 * Support's hands on schedules without an API token (the CLI): list, pause,
 * resume and run one now. Every change is in the audit trail with the
 * operator's name. A resume re-checks the recipient, as the API does when a
 * schedule is enabled: a manager who lost the role or left gets no more mail.
 */
export class ScheduleControlService {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly runs: RunRepository,
    private readonly recipients: RecipientChecker,
    private readonly audit: AuditRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  list(filter: { customer?: string; status?: ScheduleStatus }): Promise<ScheduleRecord[]> {
    return this.schedules.list(filter);
  }

  find(id: number): Promise<ScheduleRecord | null> {
    return this.schedules.findById(id);
  }

  /** Each schedule's state, in two queries however many schedules there are. */
  async stateOf(schedules: readonly ScheduleRecord[]): Promise<Map<number, ScheduleState>> {
    const paused = schedules.filter((schedule) => !schedule.enabled).map((schedule) => schedule.id);
    const [runs, entries] = await Promise.all([
      this.runs.newestOfSchedules(schedules.map((schedule) => schedule.id)),
      this.audit.latestFor(paused.map(scheduleTarget), PAUSING_ACTIONS),
    ]);
    const pauses = currentPauses(paused, entries);
    return new Map(
      schedules.map((schedule) => [
        schedule.id,
        { lastRun: runs.get(schedule.id) ?? null, pause: pauses.get(schedule.id) ?? null },
      ]),
    );
  }

  /** Never refused, whoever the recipient is now: stopping mail must always work. */
  async pause(schedule: ScheduleRecord, operator: string, reason: string | null): Promise<ScheduleChange> {
    const changed = (await this.schedules.setEnabled(schedule, false, null, this.clock())) === 'changed';
    if (changed) await this.record('schedule.pause', schedule, { operator, reason });
    return { schedule: (await this.schedules.findById(schedule.id)) ?? schedule, changed };
  }

  /** Refused when the recipient may no longer receive it, or when an identical schedule is enabled. */
  async resume(schedule: ScheduleRecord, operator: string): Promise<ScheduleChange> {
    if (schedule.enabled) return { schedule, changed: false };
    const nextDueAt = parseCron(schedule.cron, schedule.timeZone).nextRun(this.clock());
    await this.recipients.checkRecipient(schedule.customer, schedule.recipient);
    const outcome = await this.schedules.setEnabled(schedule, true, nextDueAt, this.clock());
    if (outcome === 'conflict')
      throw new ScheduleConflictError((await this.schedules.findEnabledLike(schedule))?.id ?? null);
    const changed = outcome === 'changed';
    if (changed) await this.record('schedule.resume', schedule, { operator });
    return { schedule: (await this.schedules.findById(schedule.id)) ?? schedule, changed };
  }

  /**
   * Queues one run of the schedule now, as the scheduler queues a due one,
   * for a server to send; paused or not. The recipient is checked first, so
   * that a refusal is told to the operator now rather than found in the history later.
   */
  async runNow(schedule: ScheduleRecord, by: ScheduleActor): Promise<RunRecord> {
    const { operator, tokenId } = typeof by === 'string' ? { operator: by, tokenId: null } : by;
    await this.recipients.checkRecipient(schedule.customer, schedule.recipient);
    const now = this.clock();
    const run = await this.runs.insertQueued(
      {
        customer: schedule.customer,
        recipient: schedule.recipient,
        ...scheduleWindow(now, schedule.windowDays, schedule.timeZone),
        source: 'schedule',
        tokenId,
        operator: operator ?? undefined,
        scheduleId: schedule.id,
        timeZone: schedule.timeZone,
        dueAt: now,
      },
      now,
    );
    // The unique key is (schedule, due time): only a planned run due this very millisecond collides.
    if (!run) throw new Error(`Schedule ${schedule.id} already has a run due at ${now.toISOString()}.`);
    await this.record(
      'schedule.run',
      schedule,
      operator ? { operator, run: run.id } : { run: run.id },
      tokenId,
    );
    return run;
  }

  private record(
    action: string,
    schedule: ScheduleRecord,
    detail: Record<string, unknown>,
    tokenId: number | null = null,
  ): Promise<void> {
    return this.audit.record({
      tokenId,
      action,
      target: scheduleTarget(schedule.id),
      detail: { ...detail, customer: schedule.customer, recipient: schedule.recipient },
    });
  }
}
