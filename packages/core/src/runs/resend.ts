import { ExportNotResendableError } from '../errors';
import type { ExportRequestInput } from '../export/export.request';
import type { RunRecord } from '../db/models/run.model';

/**
 * What sending `run` again asks for: the same customer, recipient, period and
 * zone, named as asked by the same person. Only a failed or unconfirmed export is resent, and only on purpose
 * (an unconfirmed one may already be in the manager's mailbox).
 */
export function resendRequest(run: RunRecord): ExportRequestInput & { requestedBy?: string } {
  if (run.status !== 'failed' && run.status !== 'unconfirmed')
    throw new ExportNotResendableError(run.id, run.status);
  return {
    customer: run.customer,
    recipient: run.recipient,
    since: run.since ?? undefined,
    until: run.until ?? undefined,
    timeZone: run.timeZone,
    requestedBy: run.requestedBy ?? undefined,
  };
}
