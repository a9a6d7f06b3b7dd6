import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TokenRecord } from '@spotlight/core';
import type { Response } from 'express';
import { CurrentToken } from '../auth/token.guard';
import { CreateExportDto, ListExportsQuery, runView } from './export-run.dto';
import { ApiErrors } from '../errors/api-errors';
import { ExportRunPage, ExportRunView, LOCATION_HEADER, QueuedExport } from './export-run.responses';
import { RunHistoryService } from './run-history.service';
import { RunQueueService } from './run-queue.service';
import { ParseIdPipe } from './request-rules';

@ApiTags('exports')
@ApiBearerAuth()
@ApiErrors(401, 429, 503)
@Controller('exports')
export class ExportsController {
  constructor(
    private readonly queue: RunQueueService,
    private readonly history: RunHistoryService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Queue an export emailed to the manager; the same pending export answers with its id.',
  })
  @ApiAcceptedResponse({
    type: QueuedExport,
    description: 'Queued; Location names the export.',
    headers: LOCATION_HEADER,
  })
  @ApiErrors(400, 404, 413, 422)
  async create(
    @CurrentToken() token: TokenRecord,
    @Body() body: CreateExportDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<QueuedExport> {
    const { run, existing } = await this.queue.enqueue(token, body);
    response.location(`/exports/${run.id}`);
    return { id: run.id, status: run.status, existing };
  }

  @Post(':id/resend')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Send a failed or unconfirmed export again, on purpose (audited): a new queued export naming the one it resends.',
    description:
      "An unconfirmed export may already be in the manager's mailbox (its Message-ID is on the export): check before resending. The recipient is checked again.",
  })
  @ApiAcceptedResponse({
    type: QueuedExport,
    description: 'Queued; Location names the new export.',
    headers: LOCATION_HEADER,
  })
  @ApiErrors(400, 404, 409, 422)
  async resend(
    @CurrentToken() token: TokenRecord,
    @Param('id', ParseIdPipe) id: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<QueuedExport> {
    const { run, existing } = await this.queue.resend(token, id);
    response.location(`/exports/${run.id}`);
    return { id: run.id, status: run.status, existing };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One export: status, counts, bytes, queries, timings, error.' })
  @ApiOkResponse({ type: ExportRunView })
  @ApiErrors(400, 404)
  async get(
    @CurrentToken() token: TokenRecord,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<ExportRunView> {
    return runView(await this.history.get(token, id), token);
  }

  @Get()
  @ApiOperation({ summary: 'Export history, newest first, paginated with nextCursor.' })
  @ApiOkResponse({ type: ExportRunPage })
  @ApiErrors(400)
  async list(@CurrentToken() token: TokenRecord, @Query() query: ListExportsQuery): Promise<ExportRunPage> {
    const page = await this.history.list(token, { ...query, limit: query.limit ?? 20 });
    return { items: page.items.map((run) => runView(run, token)), nextCursor: page.nextCursor };
  }
}
