import type { AuditRecord } from '../db/models/audit.model';
import { PAUSED_BY_RECIPIENT } from './unsubscribe-link';

/**
 * Who paused a schedule: a token through the API, support through the CLI,
 * the server itself (failed runs in a row, a duplicate), or its recipient
 * through the link in its email.
 */
export type PausedBy = 'token' | 'support' | 'system' | 'recipient';

export interface SchedulePause {
  at: Date;
  by: PausedBy;
  /** The token that paused it (by: 'token'). */
  tokenId: number | null;
  /** Support's words (the CLI's --reason), or the server's. */
  reason: string | null;
}

/** The audit actions whose entries may record a pause: every way a schedule gets paused writes one of them. */
export const PAUSING_ACTIONS = [
  'schedule.create',
  'schedule.update',
  'schedule.pause',
  'schedule.unsubscribe',
];

/** The audit trail's target for a schedule. */
export const scheduleTarget = (id: number): string => `schedule:${id}`;

/** The pause an audit entry records; null when the entry did not pause (an update of its window, a resume). */
export function pauseRecordedBy(entry: AuditRecord): SchedulePause | null {
  const detail = entry.detail ?? {};
  const at = entry.at;
  switch (entry.action) {
    case 'schedule.unsubscribe':
      return { at, by: 'recipient', tokenId: null, reason: null };
    case 'schedule.create':
    case 'schedule.update':
      if (detail.enabled !== false) return null;
      return { at, by: entry.tokenId === null ? 'support' : 'token', tokenId: entry.tokenId, reason: null };
    case 'schedule.pause':
      if (detail.by === 'system') return { at, by: 'system', tokenId: null, reason: systemReason(detail) };
      if (detail.by === PAUSED_BY_RECIPIENT) return { at, by: 'recipient', tokenId: null, reason: null };
      return {
        at,
        by: entry.tokenId === null ? 'support' : 'token',
        tokenId: entry.tokenId,
        reason: typeof detail.reason === 'string' && detail.reason.trim() ? detail.reason : null,
      };
    default:
      return null;
  }
}

function systemReason(detail: Record<string, unknown>): string | null {
  if (typeof detail.failuresInARow === 'number') {
    const runs =
      detail.failuresInARow === 1 ? 'its last due time' : `its last ${detail.failuresInARow} due times`;
    return `${runs} failed`;
  }
  if (typeof detail.duplicateOf === 'number') {
    return `identical to schedule ${detail.duplicateOf}, which stays enabled`;
  }
  return null;
}

/**
 * Each paused schedule's current pause: the newest entry that paused it.
 * `entries` are the schedules' entries of PAUSING_ACTIONS, newest first. A
 * schedule whose entry is gone (older than the audit's retention) is left out.
 */
export function currentPauses(
  pausedIds: readonly number[],
  entries: readonly AuditRecord[],
): Map<number, SchedulePause> {
  const wanted = new Map(pausedIds.map((id) => [scheduleTarget(id), id]));
  const pauses = new Map<number, SchedulePause>();
  for (const entry of entries) {
    const id = wanted.get(entry.target);
    if (id === undefined || pauses.has(id)) continue;
    const pause = pauseRecordedBy(entry);
    if (pause) pauses.set(id, pause);
  }
  return pauses;
}
