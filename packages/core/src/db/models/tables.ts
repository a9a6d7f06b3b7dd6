/**
 * The product's own tables, named once: models, repositories and tests use
 * these. Migrations keep their literal names, as they were when written.
 * All are `spotlight_export_*`, so they never collide with Spotlight's.
 */
export const TOKEN_TABLE = 'spotlight_export_token';
export const SCHEDULE_TABLE = 'spotlight_export_schedule';
export const RUN_TABLE = 'spotlight_export_run';
export const DOWNLOAD_TABLE = 'spotlight_export_downloads';
export const LOCK_TABLE = 'spotlight_export_lock';
export const AUDIT_TABLE = 'spotlight_export_audit';
export const PENDING_ALERT_TABLE = 'spotlight_export_pending_alert';
export const SIGNING_SECRET_TABLE = 'spotlight_export_signing_secret';
