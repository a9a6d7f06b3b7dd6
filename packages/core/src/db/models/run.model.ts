import type { ModelObject } from 'objection';
import { columnsRenaming, ProductModel } from './product.model';
import { RUN_TABLE } from './tables';

/**
 * `unconfirmed`: the whole email went to the mail server and its answer was
 * lost, so it may have arrived; it is never sent again by itself.
 */
export const RUN_STATUSES = ['queued', 'running', 'sent', 'failed', 'unconfirmed'] as const;
/** A run that has ended, whatever came of it. */
export const FINISHED_STATUSES = ['sent', 'failed', 'unconfirmed'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Who asked for the export: support through the CLI, an admin through the API, or a schedule. */
export type RunSource = 'cli' | 'api' | 'schedule';
export const RUN_SOURCES: readonly RunSource[] = ['cli', 'api', 'schedule'];
export type RunDelivery = 'attachment' | 'link';

export type RunRecord = ModelObject<Run>;

/** A row of spotlight_export_run: one export, queued, running or finished, whoever asked. */
export class Run extends ProductModel {
  static override tableName = RUN_TABLE;
  static override columnNameMappers = columnsRenaming({ active: 'active_users', inactive: 'inactive_users' });
  static override dateAttributes = [
    'since',
    'until',
    'dueAt',
    'nextAttemptAt',
    'readyAt',
    'leaseExpiresAt',
    'deliveryStartedAt',
    'linkExpiresAt',
    'createdAt',
    'startedAt',
    'finishedAt',
  ];
  static override numberAttributes = [
    'id',
    'scheduleId',
    'resendOf',
    'tokenId',
    'priority',
    'attempts',
    'active',
    'inactive',
    'bytes',
    'queries',
    'durationMs',
  ];

  declare id: number;
  declare customer: string;
  declare recipient: string;
  declare since: Date | null;
  declare until: Date | null;
  declare status: RunStatus;
  declare source: RunSource;
  /** Who ran or queued it from the CLI (the OS user or --operator); null for the API and the scheduler. */
  declare operator: string | null;
  /** Whom the email names as having asked (`--requested-by`, `requestedBy`); null: "Spotlight support". */
  declare requestedBy: string | null;
  declare scheduleId: number | null;
  /** The run this one sends again, when someone resent it on purpose. */
  declare resendOf: number | null;
  /** The zone the export shows its dates in. */
  declare timeZone: string;
  declare dueAt: Date | null;
  /** Set only while an API run is queued or running: the same key means the same export. */
  declare pendingKey: string | null;
  declare tokenId: number | null;
  /** Claimed lower first (RUN_PRIORITIES). */
  declare priority: number;
  declare attempts: number;
  declare nextAttemptAt: Date;
  /**
   * When the run became due (its creation, or a scheduled run's jittered
   * time); retries and waits for the customer's lock do not move it. Null
   * only for rows written outside the repository.
   */
  declare readyAt: Date | null;
  declare claimedBy: string | null;
  declare claimToken: string | null;
  declare leaseExpiresAt: Date | null;
  declare deliveryStartedAt: Date | null;
  declare active: number | null;
  declare inactive: number | null;
  declare bytes: number | null;
  declare queries: number | null;
  declare durationMs: number | null;
  declare messageId: string | null;
  declare delivery: RunDelivery | null;
  declare linkExpiresAt: Date | null;
  declare error: string | null;
  /** Core's error code (RECIPIENT_NOT_ALLOWED, MAIL_FAILED, ...) when it failed. */
  declare errorCode: string | null;
  declare createdAt: Date;
  declare startedAt: Date | null;
  declare finishedAt: Date | null;
}
