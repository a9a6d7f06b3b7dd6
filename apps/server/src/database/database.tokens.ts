/** The knex that schedules, runs, tokens and the audit trail are written to. */
export const PRIMARY_DB = Symbol('PRIMARY_DB');
/** The knex exports read from: a replica when DATABASE_READ_URL is set, else the primary. */
export const READ_DB = Symbol('READ_DB');
export const SERVER_SETTINGS = Symbol('SERVER_SETTINGS');
export const MAIL = Symbol('MAIL');
