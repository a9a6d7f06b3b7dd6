import type { Knex } from 'knex';

export interface AuditEntry {
  tokenId: number | null;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/** Who asked for what: every export and every change, with the token that asked. */
export class AuditRepository {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db('spotlight_export_audit').insert({
      token_id: entry.tokenId,
      action: entry.action,
      target: entry.target.slice(0, 200),
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      at: this.clock(),
    });
  }
}
