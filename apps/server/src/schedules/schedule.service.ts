import type { Cron } from 'croner';
import {
  checkInterval,
  type CronPreview,
  ExportService,
  normaliseDomain,
  parseCron,
  previewCron,
  type ScheduleControlService,
  type ScheduleState,
  parseCustomer,
  parseRecipient,
  parseTimeZone,
  ScheduleConflictError,
  scheduleTarget,
  scheduleWindow,
  tokenReaches,
  type TokenRecord,
} from '@spotlight/core';
import type { AuditRepository } from '../audit/audit.repository';
import { NotVisibleError } from '../auth/not-visible.error';
import { previewUnsubscribeUrl } from '../unsubscribe/unsubscribe-url';
import type { RunRecord, RunRepository, ScheduleRecord } from '@spotlight/core';
import type { ScheduleFields, ScheduleRepository } from './schedule.repository';

export interface ScheduleInput {
  customer: string;
  recipient: string;
  cron: string;
  timeZone: string;
  windowDays?: number | null;
  enabled?: boolean;
}

export interface ScheduleServiceOptions {
  /** The shortest time allowed between two due times of one schedule. */
  minIntervalMinutes: number;
  /** Due schedules planned in one transaction; instances planning at once take different batches. */
  planBatchSize: number;
  /** A planned run becomes claimable at its due time plus a random wait below this (0: at once). */
  jitterMs: number;
  /** In [0, 1), for the jitter; Math.random unless a test fixes it. */
  random?: () => number;
  /** SPOTLIGHT_PUBLIC_URL: with it, scheduled emails carry an unsubscribe link. */
  publicUrl?: string;
}

/**
 * Export schedules: the recipient guard runs when one is saved (and again at
 * every run, by the runner). `planDueRuns` turns due times into queued runs.
 */
export class ScheduleService {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly runs: RunRepository,
    private readonly exports: ExportService,
    private readonly audit: AuditRepository,
    private readonly control: ScheduleControlService,
    private readonly options: ScheduleServiceOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Creates a schedule, or returns the enabled one identical to it (same
   * customer, recipient, cron, zone and window) with `existing: true`. The
   * unique identity key decides, so concurrent identical requests make one.
   */
  async create(
    token: TokenRecord,
    input: ScheduleInput,
  ): Promise<{ schedule: ScheduleRecord; existing: boolean }> {
    const fields = await this.validate(
      token,
      { ...input, windowDays: input.windowDays ?? null, enabled: input.enabled ?? true },
      { recipient: true, timing: true },
    );
    // The loop covers the identical schedule being paused or deleted between the two statements.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const schedule = await this.schedules.insert(fields, token.id, this.clock());
      if (schedule) {
        await this.audit.record({
          tokenId: token.id,
          action: 'schedule.create',
          target: scheduleTarget(schedule.id),
          detail: { ...fields },
        });
        return { schedule, existing: false };
      }
      const existing = await this.schedules.findEnabledLike(fields);
      if (existing) return { schedule: existing, existing: true };
    }
    throw new Error('Could not save the schedule: an identical one kept changing; try again.');
  }

  async update(token: TokenRecord, id: number, changes: Partial<ScheduleInput>): Promise<ScheduleRecord> {
    const current = await this.get(token, id);
    const merged = {
      customer: changes.customer ?? current.customer,
      recipient: changes.recipient ?? current.recipient,
      cron: changes.cron ?? current.cron,
      timeZone: changes.timeZone ?? current.timeZone,
      windowDays: changes.windowDays === undefined ? current.windowDays : changes.windowDays,
      enabled: changes.enabled ?? current.enabled,
    };
    const recipientChanged =
      normaliseDomain(merged.customer) !== current.customer || merged.recipient.trim() !== current.recipient;
    const cronChanged = merged.cron.trim() !== current.cron || merged.timeZone.trim() !== current.timeZone;
    // Pausing is never refused: a manager who lost the role, or a cron saved
    // under older rules, must not keep a schedule running.
    const fields = await this.validate(token, merged, {
      recipient: merged.enabled || recipientChanged,
      timing: merged.enabled || cronChanged,
    });
    if (!cronChanged && merged.enabled === current.enabled) fields.nextDueAt = current.nextDueAt;
    const resumed = !current.enabled && merged.enabled;
    if (!(await this.schedules.update(id, fields, token.id, this.clock(), resumed))) {
      const other = await this.schedules.findEnabledLike(fields);
      throw new ScheduleConflictError(other?.id ?? null);
    }
    await this.audit.record({
      tokenId: token.id,
      action: 'schedule.update',
      target: scheduleTarget(id),
      detail: { ...changes },
    });
    return (await this.schedules.findById(id))!;
  }

  async remove(token: TokenRecord, id: number): Promise<void> {
    await this.get(token, id);
    await this.schedules.delete(id);
    await this.audit.record({ tokenId: token.id, action: 'schedule.delete', target: scheduleTarget(id) });
  }

  async get(token: TokenRecord, id: number): Promise<ScheduleRecord> {
    const schedule = await this.schedules.findById(id);
    if (!schedule || !tokenReaches(token, schedule.customer))
      throw new NotVisibleError(`No schedule has the id ${id}.`);
    return schedule;
  }

  /** The cron in words and its next due times, under the rules a save applies (the same code). */
  preview(cron: string, timeZone: string): CronPreview {
    return previewCron(cron, timeZone, this.options.minIntervalMinutes, this.clock());
  }

  /**
   * Queues one run of the schedule now, paused or not, as `spotlight
   * schedules run` does (the same core service), audited with the token.
   */
  async runNow(token: TokenRecord, id: number): Promise<RunRecord> {
    return this.control.runNow(await this.get(token, id), { operator: null, tokenId: token.id });
  }

  /**
   * The email a run of the schedule started now would send, with the
   * customer's real numbers (the workbook is built and thrown away); nothing
   * is queued or sent. The recipient guard runs, as it would for the run.
   * Attached or linked as the run would send it now; `note` says how that
   * depends on the size, which the run measures again.
   */
  async emailPreview(
    token: TokenRecord,
    id: number,
  ): Promise<{ subject: string; html: string; delivery: 'attachment' | 'link'; note: string }> {
    const schedule = await this.get(token, id);
    const window = scheduleWindow(this.clock(), schedule.windowDays, schedule.timeZone);
    const { subject, html, delivery, note } = await this.exports.previewEmail(
      {
        customer: schedule.customer,
        recipient: schedule.recipient,
        since: window.since ?? undefined,
        until: window.until ?? undefined,
        timeZone: schedule.timeZone,
      },
      {
        kind: 'schedule',
        scheduleId: schedule.id,
        unsubscribeUrl: previewUnsubscribeUrl(this.options.publicUrl),
      },
    );
    return { subject, html, delivery, note };
  }

  /** Each schedule's newest run and, while paused, why (see ScheduleControlService.stateOf). */
  stateOf(schedules: readonly ScheduleRecord[]): Promise<Map<number, ScheduleState>> {
    return this.control.stateOf(schedules);
  }

  async list(token: TokenRecord, customer?: string): Promise<ScheduleRecord[]> {
    const wanted = customer === undefined ? undefined : parseCustomer(customer);
    if (wanted && !tokenReaches(token, wanted)) return [];
    return this.schedules.list(wanted ?? token.siteDomain ?? undefined);
  }

  /**
   * Queues one run for each enabled schedule whose due time has come. The run
   * is for the most recent due time only: after downtime a schedule gets at
   * most one catch-up run, not one per missed time. Schedules are taken in
   * batches of `planBatchSize`, each batch queued and moved on in one
   * transaction that holds its rows, so that instances ticking together
   * share a wave of due schedules instead of each reading all of it. The
   * unique key on (schedule, due time) still makes exactly one insert win,
   * should a due time come round again (a crash, an edit by hand).
   */
  async planDueRuns(): Promise<RunRecord[]> {
    const now = this.clock();
    const queued: RunRecord[] = [];
    for (;;) {
      const batch = await this.schedules.planDueBatch(now, this.options.planBatchSize, (due, trx) =>
        this.planBatch(due, now, this.schedules.bindTo(trx), this.runs.bindTo(trx)),
      );
      queued.push(...batch.result);
      if (batch.taken < this.options.planBatchSize) return queued;
    }
  }

  private async planBatch(
    due: ScheduleRecord[],
    now: Date,
    schedules: ScheduleRepository,
    runs: RunRepository,
  ): Promise<RunRecord[]> {
    const queued: RunRecord[] = [];
    for (const schedule of due) {
      let cron: Cron;
      try {
        cron = parseCron(schedule.cron, schedule.timeZone);
      } catch {
        await schedules.advance(schedule.id, schedule.nextDueAt!, null);
        continue;
      }
      const [dueAt] = cron.previousRuns(1, new Date(now.getTime() + 1));
      if (!dueAt || dueAt < schedule.nextDueAt!) {
        // No due time of the expression since the stored one (it was edited by hand): nothing to send yet.
        await schedules.advance(schedule.id, schedule.nextDueAt!, cron.nextRun(now));
        continue;
      }
      const run = await runs.insertQueued(
        {
          customer: schedule.customer,
          recipient: schedule.recipient,
          ...scheduleWindow(dueAt, schedule.windowDays, schedule.timeZone),
          source: 'schedule',
          tokenId: schedule.updatedByTokenId,
          scheduleId: schedule.id,
          timeZone: schedule.timeZone,
          dueAt,
          notBefore: this.jittered(dueAt),
        },
        now,
      );
      if (run) queued.push(run);
      await schedules.advance(schedule.id, schedule.nextDueAt!, cron.nextRun(now));
    }
    return queued;
  }

  /** The due time plus a random wait in [0, jitter), so that a wave of schedules due at once is spread out. */
  private jittered(dueAt: Date): Date | undefined {
    if (this.options.jitterMs <= 0) return undefined;
    const random = this.options.random ?? Math.random;
    return new Date(dueAt.getTime() + Math.floor(random() * this.options.jitterMs));
  }

  /**
   * Checks what is saved. `checks.recipient` runs the recipient guard and
   * `checks.timing` the cron rules; a paused schedule skips what did not change.
   */
  private async validate(
    token: TokenRecord,
    input: Required<Omit<ScheduleInput, 'windowDays'>> & { windowDays: number | null },
    checks: { recipient: boolean; timing: boolean },
  ): Promise<ScheduleFields> {
    const customer = parseCustomer(input.customer);
    let recipient = parseRecipient(input.recipient);
    if (!tokenReaches(token, customer))
      throw new NotVisibleError(`No customer has the domain "${customer}".`);
    const expression = input.cron.trim();
    const timeZone = parseTimeZone(input.timeZone);
    const now = this.clock();
    let nextDueAt: Date | null = null;
    if (checks.timing) {
      const cron = parseCron(expression, timeZone);
      checkInterval(expression, cron, this.options.minIntervalMinutes, now);
      if (input.enabled) nextDueAt = cron.nextRun(now);
    }
    if (checks.recipient) ({ recipient } = await this.exports.checkRecipient(customer, input.recipient));
    return {
      customer,
      recipient,
      cron: expression,
      timeZone,
      windowDays: input.windowDays,
      enabled: input.enabled,
      nextDueAt,
    };
  }
}
