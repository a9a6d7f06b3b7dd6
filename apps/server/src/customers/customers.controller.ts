import { Controller, Get, HttpException, HttpStatus, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
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
import { DownloadLimiter } from './download-limiter';
import { responseSink } from './response-sink';

/** Seconds a refused download is told to wait: about one download's time. */
const RETRY_AFTER_SECONDS = 5;

@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly exports: ExportService,
    private readonly audit: AuditRepository,
    private readonly limiter: DownloadLimiter,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

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
    const customer = parseCustomer(domain);
    if (!tokenReaches(token, customer))
      throw new NotVisibleError(`No customer has the domain "${customer}".`);
    const taken = await this.limiter.acquire(customer);
    if ('refused' in taken) {
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      throw new HttpException(taken.refused, HttpStatus.TOO_MANY_REQUESTS);
    }
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
      taken.slot.release();
    }
  }
}
