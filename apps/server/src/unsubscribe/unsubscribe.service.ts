import {
  customerLabel,
  PAUSED_BY_RECIPIENT,
  sameAddress,
  UnsubscribeSigner,
  type AuditRepository,
  type ScheduleRecord,
  type ScheduleRepository,
  type SigningSecretRepository,
  scheduleTarget,
} from '@spotlight/core';
import { unsubscribeUrl } from './unsubscribe-url';

/** Who is told when a recipient stops their schedule (support's alerts). */
export interface UnsubscribeListener {
  /** Never throws. */
  scheduleUnsubscribed(schedule: ScheduleRecord, at: Date): Promise<void>;
}

export interface UnsubscribeOptions {
  /** Where recipients reach this server; no links without it. */
  publicUrl?: string;
  /** SPOTLIGHT_SIGNING_SECRET; when unset, the secret kept in the database. */
  signingSecret?: string;
}

/** The schedule a valid link names, as it is now. */
export interface LinkedSchedule {
  schedule: ScheduleRecord;
  generation: number;
  /** Its customer as the email names it: "Name (domain)", or the domain alone once the site is gone. */
  customer: string;
}

/** Where the customer's name is read (Spotlight's django_site). */
export interface SiteFinder {
  findSite(domain: string): Promise<{ name: string } | null>;
}

/** What a POST of a valid link did. */
export type UnsubscribeOutcome = 'stopped' | 'already-stopped';

/**
 * One-click unsubscribe (RFC 8058): makes the signed link each scheduled
 * email carries, and pauses the schedule it names when that link is POSTed.
 * A link is valid while its schedule exists with the same recipient and the
 * same link generation: a resume moves the generation on, so older links
 * stop working.
 */
export class UnsubscribeService {
  private signer?: Promise<UnsubscribeSigner>;

  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly sites: SiteFinder,
    private readonly secrets: SigningSecretRepository,
    private readonly audit: AuditRepository,
    private readonly listener: UnsubscribeListener,
    private readonly options: UnsubscribeOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Whether scheduled emails carry a link at all. */
  get makesLinks(): boolean {
    return Boolean(this.options.publicUrl);
  }

  /** The link for the email of one run of a schedule; none without SPOTLIGHT_PUBLIC_URL or a schedule. */
  async linkFor(scheduleId: number, recipient: string): Promise<string | undefined> {
    if (!this.options.publicUrl) return undefined;
    const schedule = await this.schedules.findById(scheduleId);
    if (!schedule) return undefined;
    const token = (await this.signing()).sign({
      scheduleId,
      recipient,
      generation: schedule.linkGeneration,
    });
    return unsubscribeUrl(this.options.publicUrl, token);
  }

  /** The schedule a link names; null for a tampered, unknown or outdated link. */
  async find(token: string): Promise<LinkedSchedule | null> {
    const target = (await this.signing()).verify(token);
    if (!target) return null;
    const schedule = await this.schedules.findById(target.scheduleId);
    if (!schedule || schedule.linkGeneration !== target.generation) return null;
    if (!sameAddress(schedule.recipient, target.recipient)) return null;
    const site = await this.sites.findSite(schedule.customer);
    return {
      schedule,
      generation: target.generation,
      customer: customerLabel(site?.name, schedule.customer),
    };
  }

  /**
   * Pauses the schedule, marked as paused by its recipient, records it and
   * tells support, once: a schedule already paused is left as it is.
   */
  async unsubscribe(linked: LinkedSchedule): Promise<UnsubscribeOutcome> {
    const { schedule } = linked;
    const now = this.clock();
    if (!(await this.schedules.pauseByRecipient(schedule.id, linked.generation, now)))
      return 'already-stopped';
    await this.audit.record({
      tokenId: null,
      action: 'schedule.unsubscribe',
      target: scheduleTarget(schedule.id),
      detail: { by: PAUSED_BY_RECIPIENT, actor: schedule.recipient, customer: schedule.customer },
    });
    await this.listener.scheduleUnsubscribed(schedule, now);
    return 'stopped';
  }

  private signing(): Promise<UnsubscribeSigner> {
    if (this.options.signingSecret) return Promise.resolve(new UnsubscribeSigner(this.options.signingSecret));
    // Read (or made) once per instance; a database error is not remembered.
    const signer = (this.signer ??= this.secrets.getOrCreate().then(
      (secret: string) => new UnsubscribeSigner(secret),
      (error: unknown) => {
        this.signer = undefined;
        throw error;
      },
    ));
    return signer;
  }
}
