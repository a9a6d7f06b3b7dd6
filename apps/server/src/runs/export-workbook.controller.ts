import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpException, HttpStatus, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  DownloadNotFoundError,
  DownloadService,
  XLSX_CONTENT_TYPE,
  type OpenDownload,
  type TokenRecord,
} from '@spotlight/core';
import type { Response } from 'express';
import { AuditRepository } from '../audit/audit.repository';
import { NotVisibleError } from '../auth/not-visible.error';
import { CurrentToken } from '../auth/token.guard';
import { DownloadLimiter } from '../customers/download-limiter';
import { ApiErrors, XLSX_BODY } from '../errors/api-errors';
import { ParseIdPipe } from './request-rules';
import { RunHistoryService } from './run-history.service';

/**
 * The workbook an export kept behind its emailed link, for the console: the
 * link's token is never stored, so whoever may see the run (bearer token,
 * the run's tenant rules) fetches the kept file by the run's id instead.
 */
@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class ExportWorkbookController {
  constructor(
    private readonly history: RunHistoryService,
    private readonly downloads: DownloadService,
    private readonly audit: AuditRepository,
    private readonly limiter: DownloadLimiter,
  ) {}

  @Get(':id/workbook.xlsx')
  @ApiProduces(XLSX_CONTENT_TYPE)
  @ApiOperation({
    summary: "Streams the workbook an export kept behind its email's link, while the link is valid.",
    description:
      'Only exports whose `delivery` is `link` kept one, until `linkExpiresAt`; an attached workbook was not kept (404). Audited as export.download.',
  })
  @ApiOkResponse({
    description: 'The workbook; Content-Disposition names it as the email did.',
    ...XLSX_BODY,
  })
  @ApiErrors(400, 401, 404, 410, 429, 503)
  async download(
    @CurrentToken() token: TokenRecord,
    @Param('id', ParseIdPipe) id: number,
    @Res() response: Response,
  ): Promise<void> {
    const run = await this.history.get(token, id);
    if (run.delivery !== 'link')
      throw new NotVisibleError(`Export ${id} kept no workbook: its email carried it attached.`);
    const file = await this.openKept(id);
    const slot = await this.limiter.take(run.customer, response);
    try {
      await this.audit.record({
        tokenId: token.id,
        action: 'export.download',
        target: `customer:${run.customer}`,
        detail: { exportId: id, bytes: file.bytes },
      });
      response.status(200);
      response.setHeader('Content-Type', XLSX_CONTENT_TYPE);
      response.setHeader('Content-Length', String(file.bytes));
      response.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
      response.setHeader('Cache-Control', 'no-store');
      await pipeline(fs.createReadStream(file.path), response);
    } catch (error) {
      // The client left mid-download: nobody is left to answer.
      if (response.destroyed) return;
      throw error;
    } finally {
      slot.release();
    }
  }

  /** The kept file; a link run whose file is gone (cleaned up, or kept before runs were recorded) answers 410. */
  private async openKept(id: number): Promise<OpenDownload> {
    try {
      return await this.downloads.openForRun(id);
    } catch (error) {
      if (!(error instanceof DownloadNotFoundError)) throw error;
      throw new HttpException(
        `The workbook of export ${id} is no longer kept; ask for the export again to get a new one.`,
        HttpStatus.GONE,
      );
    }
  }
}
