import type { AuditRecord, TokenRecord } from '@spotlight/core';
import { StaffOnlyError } from '../auth/staff-only.error';
import { KeysetPaging, type KeysetPage } from '../paging/keyset.paging';
import type { AuditRepository } from './audit.repository';

export type AuditPage = KeysetPage<AuditRecord>;

const PAGING = new KeysetPaging('audit');

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
      before: PAGING.before(filter.cursor),
      limit: filter.limit + 1,
    });
    return PAGING.page(rows, filter.limit);
  }
}
