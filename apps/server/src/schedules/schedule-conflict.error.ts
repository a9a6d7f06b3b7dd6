/**
 * A change that would make a schedule identical to another enabled one (same
 * customer, recipient, cron, time zone and window): 409, naming the other.
 */
export class ScheduleConflictError extends Error {
  override readonly name = 'ScheduleConflictError';
}
