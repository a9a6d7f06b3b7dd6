import type { ModelObject } from 'objection';
import { ProductModel } from './product.model';
import { PENDING_ALERT_TABLE } from './tables';

export type AlertChannel = 'email' | 'webhook';

export type PendingAlertRecord = ModelObject<PendingAlertModel>;

/**
 * A row of spotlight_export_pending_alert: a failure notice that could not be
 * delivered yet, retried by any instance until it is or its time runs out.
 */
export class PendingAlertModel extends ProductModel {
  static override tableName = PENDING_ALERT_TABLE;
  static override jsonAttributes = ['event'];
  static override dateAttributes = ['nextAttemptAt', 'giveUpAt', 'createdAt'];
  static override numberAttributes = ['id', 'runId', 'attempts'];

  declare id: number;
  declare runId: number;
  declare channel: AlertChannel;
  /** The address for an email; null for the webhook (its URL is the settings'). */
  declare target: string | null;
  /** What the notice says (the webhook's JSON body), as it was when the run failed. */
  declare event: Record<string, unknown>;
  /** Delivery attempts so far, the first one included. */
  declare attempts: number;
  /** Due for another attempt from then; while claimed, when the claim lapses. */
  declare nextAttemptAt: Date;
  declare giveUpAt: Date;
  /** Set by the instance delivering it now. */
  declare claimToken: string | null;
  declare lastError: string | null;
  declare createdAt: Date;
}
