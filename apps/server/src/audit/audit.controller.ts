import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TokenRecord } from '@spotlight/core';
import { CurrentToken } from '../auth/token.guard';
import { ApiErrors } from '../errors/api-errors';
import { AuditPageView, ListAuditQuery, auditView } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiErrors(401, 429, 503)
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail, newest first, paginated with nextCursor; staff tokens only.',
  })
  @ApiOkResponse({ type: AuditPageView })
  @ApiErrors(400, 403)
  async list(@CurrentToken() token: TokenRecord, @Query() query: ListAuditQuery): Promise<AuditPageView> {
    const page = await this.audit.page(token, { ...query, limit: query.limit ?? 50 });
    return { items: page.items.map(auditView), nextCursor: page.nextCursor };
  }
}
