/**
 * @spotlight/core: the user activity export shared by the CLI and the server.
 *
 * Build an {@link ExportService} from an {@link ActivityRepository} (over a knex
 * from {@link createDatabase}) and a {@link MailRepository}, then call
 * `exportToEmail`. Settings come from {@link loadCoreSettings}.
 */
export {
  ConfigurationError,
  CustomerNotFoundError,
  DatabaseUnavailableError,
  type ErrorCode,
  explainDatabaseError,
  ExportInProgressError,
  firstLine,
  formatBytes,
  InvalidInputError,
  isSpotlightError,
  MailDeliveryError,
  RecipientNotAllowedError,
  SpotlightError,
  StorageError,
} from './errors';
export { type CoreSettings, databaseUrlSetting, describeIssues, loadCoreSettings } from './config/settings';
export { createDatabase, createServerConnection, dialectOf, maskUrl, toDate } from './db/connection';
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
export { SPOTLIGHT_TABLES, type SpotlightTable } from './db/migrations/spotlight/0001-spotlight-schema';
export { captureQueries } from './db/query-counter';
export { Conversation, Idea, User } from './db/models/models';
export { ACTIVITY_COUNTS, isActive, type UserActivity } from './activity/activity.types';
export { ActivityRepository } from './activity/activity.repository';
export { describeRange } from './workbook/activity-workbook.writer';
export {
  createMailRepository,
  type MailRepository,
  OutboxMailRepository,
  type OutgoingMail,
  type SentMail,
  SmtpMailRepository,
  XLSX_CONTENT_TYPE,
} from './mail/mail.repository';
export { parseCustomer, parseExportRequest, parseRecipient } from './export/export.request';
export { attachmentName, escapeHtml } from './export/export.mail';
export { ExportService, type ExportSummary } from './export/export.service';
export { DownloadRepository } from './downloads/download.repository';
export { DownloadService } from './downloads/download.service';
export { CustomerRepository, type CustomerSummary } from './customers/customer.repository';
export { CustomerService } from './customers/customer.service';
export { SCHEDULE_TABLE, TOKEN_TABLE, type TokenRecord, TokenRepository } from './admin/token.repository';
export { hashToken, tokenReaches, TokenService } from './admin/token.service';
export {
  RUN_SOURCES,
  RUN_STATUSES,
  RUN_TABLE,
  type RunDelivery,
  type RunRecord,
  RunRepository,
  type RunSource,
  type RunStatus,
} from './runs/run.repository';
export { ExportLockRepository } from './export/export-lock.repository';
export { ScratchSpace, sweepStaleScratch } from './scratch/scratch-space';
export { retryOnContention } from './db/contention';
export { assertQueueSupport } from './db/server-version';
