/**
 * @spotlight/core: the user activity export shared by the CLI and the server.
 *
 * Build an {@link ExportService} from an {@link ActivityRepository} (over a knex
 * from {@link createDatabase}) and a {@link MailRepository}, then call
 * `exportToEmail`. Settings come from {@link loadCoreSettings}.
 */
export {
  ConfigurationError,
  AmbiguousCustomerError,
  CustomerNotFoundError,
  DatabaseNotFoundError,
  DatabaseUnavailableError,
  DeliveryUnconfirmedError,
  ExportInterruptedError,
  DownloadNotFoundError,
  type ErrorCode,
  ExportInProgressError,
  ExportNotResendableError,
  firstLine,
  InvalidInputError,
  isSpotlightError,
  MailDeliveryError,
  RecipientNotAllowedError,
  SpotlightError,
  StorageError,
  tenantMessage,
  type TenantSubject,
} from './errors';
export { formatBytes } from './text/bytes';
export { explainDatabaseError } from './db/database-errors';
export { type CoreSettings, databaseUrlSetting, loadCoreSettings } from './config/settings';
export {
  choiceSetting,
  describeIssues,
  integerSetting,
  numberSetting,
  optionalText,
} from './config/setting-schemas';
export { createDatabase, createServerConnection, dialectOf, parseDatabaseUrl, toDate } from './db/connection';
export { maskUrl } from './text/mask-url';
export { removeUnfinishedSync } from './files/atomic-file';
export { sha256Hex } from './text/sha256';
export { toDjangoDatetime } from './db/sqlite.client';
export {
  migrateLatest,
  type MigrationReport,
  pendingProductMigrations,
  PRODUCT_MIGRATIONS_TABLE,
  SPOTLIGHT_SCHEMA_MIGRATIONS_TABLE,
  type SpotlightSchemaMode,
  tableNames,
} from './db/migrate';
export {
  SPOTLIGHT_COLUMNS,
  SPOTLIGHT_TABLE,
  SPOTLIGHT_TABLES,
  type SpotlightTable,
} from './db/models/spotlight-tables';
export { captureQueries } from './db/query-counter';
export {
  AUDIT_TABLE,
  DOWNLOAD_TABLE,
  LOCK_TABLE,
  PENDING_ALERT_TABLE,
  RUN_TABLE,
  SIGNING_SECRET_TABLE,
  SCHEDULE_TABLE,
  TOKEN_TABLE,
} from './db/models/tables';
export { AuditEntryModel, type AuditRecord } from './db/models/audit.model';
export type { DownloadRecord } from './db/models/download.model';
export type { TokenRecord, TokenScope } from './db/models/token.model';
export { ScheduleModel, type ScheduleRecord } from './db/models/schedule.model';
export {
  type AlertChannel,
  PendingAlertModel,
  type PendingAlertRecord,
} from './db/models/pending-alert.model';
export {
  canonicalCron,
  canonicalTimeZone,
  heldIdentityKey,
  type ScheduleIdentity,
  scheduleIdentityKey,
} from './schedules/schedule-identity';
export { ScheduleConflictError } from './schedules/schedule-conflict.error';
export { isUniqueViolation } from './db/unique-violation';
export {
  ACTIVITY_COUNTS,
  changeStatus,
  type DateRange,
  engagementLevel,
  isActive,
  previousLevel,
  type UserActivity,
} from './activity/activity.types';
export { type PreviousPeriod, previousPeriod } from './activity/previous-period';
export { ActivityRepository } from './activity/activity.repository';
export { COUNT_SOURCES, MEMBERSHIP_SOURCES, sourceFrom } from './activity/activity.sources';
export {
  createMailRepository,
  type MailRepository,
  newMessageId,
  OutboxMailRepository,
  type OutgoingMail,
  type SentMail,
  SmtpMailRepository,
  XLSX_CONTENT_TYPE,
} from './mail/mail.repository';
export {
  parseBound,
  parseExportRequest,
  parseRequestedBy,
  parseTimeZone,
  REQUESTED_BY_MAX_LENGTH,
  type ExportRequestInput,
} from './export/export.request';
export { resendRequest } from './runs/resend';
export {
  normaliseDomain,
  normaliseEmail,
  parseCustomer,
  parseId,
  parseName,
  parseRecipient,
  sameAddress,
} from './input/address.rules';
export {
  attachmentName,
  customerLabel,
  describeRange,
  escapeHtml,
  type RequestedBy,
} from './export/export.mail';
export { parseWorkbookPath } from './workbook/workbook-file';
export { describeRangeInDays } from './workbook/zoned-time';
export { type CoreOptions, CoreServices, createCoreServices } from './root/core.root';
export { ExportService, type ExportSummary } from './export/export.service';
export { DownloadRepository } from './downloads/download.repository';
export { DownloadService, type OpenDownload } from './downloads/download.service';
export {
  type CustomerOverview,
  CustomerRepository,
  type CustomerSummary,
  type CustomerWithManagers,
} from './customers/customer.repository';
export { type CustomerPage, CustomerService } from './customers/customer.service';
export { TokenRepository } from './admin/token.repository';
export { hashToken, tokenReaches, TokenService } from './admin/token.service';
export {
  RUN_SOURCES,
  RUN_STATUSES,
  FINISHED_STATUSES,
  type NewRun,
  type FinishedStatus,
  type RunDelivery,
  type RunRecord,
  RunRepository,
  type RunSource,
  type RunStatus,
} from './runs/run.repository';
export { ExportLockRepository } from './export/export-lock.repository';
export { AuditRepository, type AuditEntry } from './audit/audit.repository';
export {
  checkInterval,
  type CronPreview,
  describeCron,
  parseCron,
  previewCron,
} from './schedules/schedule.rules';
export {
  PAUSED_BY_RECIPIENT,
  resumedScheduleColumns,
  UnsubscribeSigner,
  type UnsubscribeTarget,
} from './schedules/unsubscribe-link';
export { SigningSecretRepository } from './schedules/signing-secret.repository';
export { scheduleWindow } from './schedules/schedule-window';
export { SCHEDULE_STATUSES, ScheduleRepository, type ScheduleStatus } from './schedules/schedule.repository';
export {
  type RecipientChecker,
  type ScheduleActor,
  type ScheduleChange,
  ScheduleControlService,
  type ScheduleState,
} from './schedules/schedule-control.service';
export { type PausedBy, type SchedulePause, scheduleTarget } from './schedules/schedule-pause';
export { ScratchSpace, sweepStaleScratch } from './scratch/scratch-space';
export { retryOnContention } from './db/contention';
export { readInBatches } from './db/row-stream';
export { assertQueueSupport } from './db/server-version';
export { ENV_FILE_VARIABLE, type Environment, loadWithEnvFile, readEnvironment } from './config/env-file';
export { ENV_EXAMPLE_COMMAND, renderEnvExample, type SettingsSection } from './config/env-example';
export { coreSettingsSchema } from './config/settings';
export { type BuildInfo, buildInfo, describeBuild } from './root/build-info';
