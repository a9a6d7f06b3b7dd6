import { InvalidInputError, type AuditRecord, type TokenRecord } from '@spotlight/core';
import { StaffOnlyError } from '../auth/staff-only.error';
import type { AuditRepository } from './audit.repository';

export interface AuditPage {
  items: AuditRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** The audit trail as staff read it: newest first, keyset-paged, filtered by action or token. */
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async page(
    token: TokenRecord,
    filter: { action?: string; tokenId?: number; limit: number; cursor?: string },
  ): Promise<AuditPage> {
    // The trail names every customer and token: a site token must not read it.
    if (token.scope !== 'staff')
      throw new StaffOnlyError('Only a staff token may read the audit trail; ask support for one.');
    const rows = await this.audit.list({
      action: filter.action,
      tokenId: filter.tokenId,
      before: filter.cursor ? decodeCursor(filter.cursor) : undefined,
      limit: filter.limit + 1,
    });
    const items = rows.slice(0, filter.limit);
    const nextCursor = rows.length > filter.limit ? encodeCursor(items[items.length - 1].id) : null;
    return { items, nextCursor };
  }
}

function encodeCursor(id: number): string {
  return Buffer.from(`audit:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^audit:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw new InvalidInputError(
      `cursor "${cursor}" is not one this API returned; start again without a cursor.`,
    );
  return Number(match[1]);
}
