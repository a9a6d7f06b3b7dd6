/** The knex that schedules, runs, tokens and the audit trail are written to. */
export const PRIMARY_DB = Symbol('PRIMARY_DB');
/** The knex exports read from: a replica when DATABASE_READ_URL is set, else the primary. */
export const READ_DB = Symbol('READ_DB');
export const SERVER_SETTINGS = Symbol('SERVER_SETTINGS');
export const MAIL = Symbol('MAIL');
/** What failure notices are sent with: SPOTLIGHT_ALERT_SMTP_URL's server, else MAIL. */
export const ALERT_MAIL = Symbol('ALERT_MAIL');
