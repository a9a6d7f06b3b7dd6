import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DownloadService, XLSX_CONTENT_TYPE } from '@spotlight/core';
import type { Response } from 'express';
import { Public } from '../auth/token.guard';
import { ApiErrors, XLSX_BODY } from '../errors/api-errors';

/** The links in emails whose workbook was too big to attach. */
@ApiTags('downloads')
@Controller('downloads')
export class DownloadsController {
  constructor(private readonly downloads: DownloadService) {}

  // No bearer token: the recipient has only the email, and the link's token is the credential.
  @Get(':token')
  @Public()
  @ApiProduces(XLSX_CONTENT_TYPE)
  @ApiOperation({ summary: 'Streams a workbook behind an email link; 404 unknown, 410 expired.' })
  @ApiOkResponse({ description: 'The workbook; no bearer token: the link is the credential.', ...XLSX_BODY })
  @ApiErrors(404, 410, 503)
  async download(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const file = await this.downloads.open(token);
    const source = fs.createReadStream(file.path);
    response.status(200);
    response.setHeader('Content-Type', XLSX_CONTENT_TYPE);
    response.setHeader('Content-Length', String(file.bytes));
    response.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Referrer-Policy', 'no-referrer');
    await pipeline(source, response);
  }
}
