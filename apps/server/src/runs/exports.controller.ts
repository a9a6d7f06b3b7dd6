import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TokenRecord } from '@spotlight/core';
import type { Response } from 'express';
import { CurrentToken } from '../auth/token.guard';
import { ExportRunService } from './export-run.service';
import { CreateExportDto, ListExportsQuery, runView } from './export-run.dto';
import { ExportWorkerJob } from '../jobs/export.jobs';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class ExportsController {
  constructor(
    private readonly runs: ExportRunService,
    private readonly worker: ExportWorkerJob,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Queue an export emailed to the manager; the same pending export answers with its id.',
  })
  async create(
    @CurrentToken() token: TokenRecord,
    @Body() body: CreateExportDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { run, existing } = await this.runs.enqueue(token, body);
    response.location(`/exports/${run.id}`);
    if (!existing) this.worker.wake();
    return { id: run.id, status: run.status, existing };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One export: status, counts, bytes, queries, timings, error.' })
  async get(@CurrentToken() token: TokenRecord, @Param('id', ParseIntPipe) id: number) {
    return runView(await this.runs.get(token, id));
  }

  @Get()
  @ApiOperation({ summary: 'Export history, newest first, paginated with nextCursor.' })
  async list(@CurrentToken() token: TokenRecord, @Query() query: ListExportsQuery) {
    const page = await this.runs.history(token, { ...query, limit: query.limit ?? 20 });
    return { items: page.items.map(runView), nextCursor: page.nextCursor };
  }
}
