import type { Knex } from 'knex';
import * as exportTables from './0001-export-tables';
import * as exportDownloads from './0002-export-downloads';
import * as runHistory from './0003-run-history';
import * as tokenLastUsed from './0004-token-last-used';
import * as historyRetention from './0005-history-retention';
import * as claimIndex from './0006-claim-index';
import * as runTimeZone from './0007-run-time-zone';
import * as claimPriority from './0008-claim-priority';
import * as runUnconfirmed from './0009-run-unconfirmed';
import * as scheduleIdentity from './0010-schedule-identity';
import * as pendingAlerts from './0011-pending-alerts';
import * as runReadyAt from './0012-run-ready-at';
import * as runRequestedBy from './0013-run-requested-by';
import * as unsubscribeLinks from './0014-unsubscribe-links';
import * as downloadRun from './0015-download-run';
import * as auditTarget from './0016-audit-target';
import * as downloadRunBackfill from './0017-download-run-backfill';

/**
 * The product's own tables (schedules, runs, tokens, ...), in order. Named
 * `spotlight_export_*` so they never collide with Spotlight's Django tables.
 */
export const productMigrations: Record<string, Knex.Migration> = {
  spotlight_export_0001_tables: exportTables,
  spotlight_export_0002_downloads: exportDownloads,
  spotlight_export_0003_run_history: runHistory,
  spotlight_export_0004_token_last_used: tokenLastUsed,
  spotlight_export_0005_history_retention: historyRetention,
  spotlight_export_0006_claim_index: claimIndex,
  spotlight_export_0007_run_time_zone: runTimeZone,
  spotlight_export_0008_claim_priority: claimPriority,
  spotlight_export_0009_run_unconfirmed: runUnconfirmed,
  spotlight_export_0010_schedule_identity: scheduleIdentity,
  spotlight_export_0011_pending_alerts: pendingAlerts,
  spotlight_export_0012_run_ready_at: runReadyAt,
  spotlight_export_0013_run_requested_by: runRequestedBy,
  spotlight_export_0014_unsubscribe_links: unsubscribeLinks,
  spotlight_export_0015_download_run: downloadRun,
  spotlight_export_0016_audit_target: auditTarget,
  spotlight_export_0017_download_run_backfill: downloadRunBackfill,
};
