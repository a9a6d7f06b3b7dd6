import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  CustomerService,
  ExportService,
  XLSX_CONTENT_TYPE,
  parseCustomer,
  tokenReaches,
  type TokenRecord,
} from '@spotlight/core';
import type { Response } from 'express';
import { AuditRepository } from '../audit/audit.repository';
import { NotVisibleError } from '../auth/not-visible.error';
import { CurrentToken } from '../auth/token.guard';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { DownloadQuery } from '../runs/export-run.dto';
import { ApiErrors, XLSX_BODY } from '../errors/api-errors';
import {
  CustomerPageView,
  CustomerView,
  ListCustomersQuery,
  ManagerList,
  customerView,
  managerList,
} from './customer.dto';
import { DownloadLimiter } from './download-limiter';
import { responseSink } from './response-sink';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly exports: ExportService,
    private readonly customers: CustomerService,
    private readonly audit: AuditRepository,
    private readonly limiter: DownloadLimiter,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The customers this token can see, sorted by domain, paginated with nextCursor: a site token sees its own only.',
  })
  @ApiOkResponse({ type: CustomerPageView })
  @ApiErrors(400, 401, 429, 503)
  async list(
    @CurrentToken() token: TokenRecord,
    @Query() query: ListCustomersQuery,
  ): Promise<CustomerPageView> {
    const page = await this.customers.page({
      search: query.search,
      cursor: query.cursor,
      limit: query.limit ?? 50,
      onlyDomain: token.scope === 'staff' ? undefined : (token.siteDomain ?? ''),
    });
    return { items: page.items.map(customerView), nextCursor: page.nextCursor };
  }

  @Get(':domain')
  @ApiOperation({ summary: 'One customer with its users, active accounts and active managers.' })
  @ApiOkResponse({ type: CustomerView })
  @ApiErrors(400, 401, 404, 429, 503)
  async get(@CurrentToken() token: TokenRecord, @Param('domain') domain: string): Promise<CustomerView> {
    return customerView(await this.customers.overview(visibleCustomer(token, domain)));
  }

  @Get(':domain/managers')
  @ApiOperation({
    summary: "The customer's managers, active or not; exports go to active ones only.",
  })
  @ApiOkResponse({ type: ManagerList })
  @ApiErrors(400, 401, 404, 429, 503)
  async managers(@CurrentToken() token: TokenRecord, @Param('domain') domain: string): Promise<ManagerList> {
    return managerList(await this.customers.managers(visibleCustomer(token, domain)));
  }

  @Get(':domain/user-activity.xlsx')
  @ApiProduces(XLSX_CONTENT_TYPE)
  @ApiOperation({ summary: "Streams the customer's user activity workbook as a download; no email." })
  @ApiOkResponse({ description: 'The workbook; Content-Disposition names the file.', ...XLSX_BODY })
  @ApiErrors(400, 401, 404, 429, 503)
  async download(
    @CurrentToken() token: TokenRecord,
    @Param('domain') domain: string,
    @Query() query: DownloadQuery,
    @Res() response: Response,
  ): Promise<void> {
    const customer = visibleCustomer(token, domain);
    const slot = await this.limiter.take(customer, response);
    try {
      await this.audit.record({
        tokenId: token.id,
        action: 'export.download',
        target: `customer:${customer}`,
        detail: { ...query },
      });
      let fileName = 'user-activity.xlsx';
      await this.exports.exportToStream(
        { customer, since: query.since, until: query.until, timeZone: query.timeZone },
        responseSink(response, () => fileName, this.settings.downloadStallMs),
        { onFileName: (name) => (fileName = name) },
      );
    } catch (error) {
      // Nobody is left to answer; the export has already let go of everything it held.
      if (response.destroyed) return;
      throw error;
    } finally {
      slot.release();
    }
  }
}

/** The customer's domain, parsed; a site token asking for another customer is told none has it. */
function visibleCustomer(token: TokenRecord, domain: string): string {
  const customer = parseCustomer(domain);
  if (!tokenReaches(token, customer)) throw new NotVisibleError(`No customer has the domain "${customer}".`);
  return customer;
}
