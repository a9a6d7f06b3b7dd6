// The audit trail is shared with the CLI, which records its schedule changes there too.
export { AuditRepository, type AuditEntry } from '@spotlight/core';
