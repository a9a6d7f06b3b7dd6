import { SpotlightError } from '../errors';

/**
 * Enabling or changing a schedule would make it identical to another enabled
 * one (same customer, recipient, cron, time zone and window), `otherId`.
 */
export class ScheduleConflictError extends SpotlightError {
  readonly code = 'SCHEDULE_CONFLICT';
  constructor(readonly otherId: number | null) {
    super(
      `Schedule ${otherId ?? 'another'} already sends this export (same customer, recipient, cron, time zone and window); change one of them, or pause or delete schedule ${otherId ?? 'that one'} first.`,
    );
  }

  // The other schedule is of the same customer (the customer is part of what makes them identical).
  override get tenantMessage(): string {
    return this.message;
  }
}
