import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Writable } from 'node:stream';
import {
  ExportService,
  XLSX_CONTENT_TYPE,
  attachmentName,
  parseCustomer,
  tokenReaches,
  type TokenRecord,
} from '@spotlight/core';
import type { Response } from 'express';
import { AuditRepository } from '../audit/audit.repository';
import { NotVisibleError } from '../auth/not-visible.error';
import { CurrentToken } from '../auth/token.guard';
import { DownloadQuery } from '../runs/export-run.dto';
import { ApiErrors, XLSX_BODY } from '../errors/api-errors';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly exports: ExportService,
    private readonly audit: AuditRepository,
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
    await this.audit.record({
      tokenId: token.id,
      action: 'export.download',
      target: `customer:${customer}`,
      detail: { ...query },
    });
    await this.exports.exportToStream(
      { customer, since: query.since, until: query.until },
      headersOnFirstByte(response, customer),
    );
  }
}

/**
 * Writes into the response, sending the download headers only with the first
 * byte: until then an error (unknown customer, say) can still become a JSON
 * error response.
 */
function headersOnFirstByte(response: Response, customer: string): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!response.headersSent) {
        response.status(200);
        response.setHeader('Content-Type', XLSX_CONTENT_TYPE);
        response.setHeader(
          'Content-Disposition',
          `attachment; filename="${attachmentName(customer, new Date())}"`,
        );
        response.setHeader('Cache-Control', 'no-store');
      }
      if (response.write(chunk)) callback();
      else response.once('drain', () => callback());
    },
    final(callback) {
      response.end(() => callback());
    },
  });
}
