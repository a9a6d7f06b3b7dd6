/**
 * @spotlight/core: the user activity export shared by the CLI and the server.
 *
 * Build an {@link ExportService} from an {@link ActivityRepository} (over a knex
 * from {@link createDatabase}) and a {@link MailRepository}, then call
 * `exportToEmail`. Settings come from {@link loadCoreSettings}.
 */
export * from './errors';
export * from './config/settings';
export * from './db/connection';
export { toDjangoDatetime } from './db/sqlite.client';
export * from './db/migrate';
export { SPOTLIGHT_TABLES, type SpotlightTable } from './db/migrations/spotlight/0001-spotlight-schema';
export * from './db/query-counter';
export * from './db/models/models';
export * from './activity/activity.types';
export * from './activity/activity.repository';
export * from './workbook/activity-workbook.writer';
export * from './mail/mail.repository';
export * from './export/export.request';
export * from './export/export.mail';
export * from './export/export.service';
export * from './downloads/download.repository';
export * from './downloads/download.service';
export * from './customers/customer.repository';
export * from './customers/customer.service';
export * from './admin/token.repository';
export * from './admin/token.service';
export * from './runs/run.repository';
export { isUniqueViolation } from './db/unique-violation';
export * from './export/export-lock.repository';
export * from './scratch/scratch-space';
export * from './db/contention';
export { assertQueueSupport, queueSupportProblem } from './db/server-version';
