import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { ScheduleRecord, TokenRecord } from '@spotlight/core';
import type { Response } from 'express';
import { CurrentToken } from '../auth/token.guard';
import { ScheduleService } from './schedule.service';
import { ParseIdPipe } from '../runs/request-rules';
import { ApiErrors } from '../errors/api-errors';
import { LOCATION_HEADER, QueuedExport } from '../runs/export-run.responses';
import {
  CreateScheduleDto,
  CreatedSchedule,
  ListSchedulesQuery,
  ScheduleList,
  SchedulePreview,
  SchedulePreviewDto,
  ScheduleView,
  UpdateScheduleDto,
  scheduleView,
} from './schedule.dto';

@ApiTags('schedules')
@ApiBearerAuth()
@ApiErrors(401, 429, 503)
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  @Post()
  @ApiOperation({
    summary:
      'Create a schedule; the recipient must be an active manager of the customer. An identical enabled schedule answers 200 with itself.',
  })
  @ApiCreatedResponse({ type: CreatedSchedule, description: 'Created.' })
  @ApiOkResponse({ type: CreatedSchedule, description: 'An identical enabled schedule exists: this is it.' })
  @ApiErrors(400, 404, 413, 422)
  async create(
    @CurrentToken() token: TokenRecord,
    @Body() body: CreateScheduleDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CreatedSchedule> {
    const { schedule, existing } = await this.schedules.create(token, body);
    if (existing) response.status(HttpStatus.OK);
    return { ...(await this.view(token, schedule)), existing };
  }

  @Post('preview')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'The cron in words and its next 5 due times in the zone, refused as POST /schedules refuses it; nothing is saved.',
  })
  @ApiOkResponse({ type: SchedulePreview })
  @ApiErrors(400, 413)
  preview(@Body() body: SchedulePreviewDto): SchedulePreview {
    return this.schedules.preview(body.cron, body.timeZone);
  }

  @Post(':id/run')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Send the schedule once now, paused or not (audited schedule.run), as `spotlight schedules run` does; the recipient is checked first.',
  })
  @ApiAcceptedResponse({
    type: QueuedExport,
    description: 'Queued; Location names the export.',
    headers: LOCATION_HEADER,
  })
  @ApiErrors(400, 404, 422)
  async run(
    @CurrentToken() token: TokenRecord,
    @Param('id', ParseIdPipe) id: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<QueuedExport> {
    const run = await this.schedules.runNow(token, id);
    response.location(`/exports/${run.id}`);
    return { id: run.id, status: run.status, existing: false };
  }

  @Get(':id/email-preview')
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "The HTML email a run of the schedule started now would send, with the customer's real numbers, the workbook attached or linked as that run would send it; nothing is queued, kept or sent.",
  })
  @ApiOkResponse({
    description: 'The HTML body of the email.',
    content: { 'text/html': { schema: { type: 'string' } } },
    headers: {
      'Spotlight-Delivery': {
        description: 'How a run started now would send the workbook: attachment or link.',
        schema: { type: 'string', enum: ['attachment', 'link'] },
      },
      'Spotlight-Delivery-Note': {
        description:
          "The same in one line, with the workbook's size now and the attachment limit: a run measures the size again.",
        schema: { type: 'string' },
      },
    },
  })
  @ApiErrors(400, 404, 422, 500)
  async emailPreview(
    @CurrentToken() token: TokenRecord,
    @Param('id', ParseIdPipe) id: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { html, delivery, note } = await this.schedules.emailPreview(token, id);
    response.type('html');
    response.setHeader('Spotlight-Delivery', delivery);
    response.setHeader('Spotlight-Delivery-Note', note);
    // Shown as a document of its own: no scripts, nothing fetched, styles inline only.
    response.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    return html;
  }

  @Get()
  @ApiOperation({ summary: 'The schedules this token can see, optionally of one customer.' })
  @ApiOkResponse({ type: ScheduleList })
  @ApiErrors(400)
  async list(@CurrentToken() token: TokenRecord, @Query() query: ListSchedulesQuery): Promise<ScheduleList> {
    return { items: await this.views(token, await this.schedules.list(token, query.customer)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One schedule, with its next due time.' })
  @ApiOkResponse({ type: ScheduleView })
  @ApiErrors(400, 404)
  async get(@CurrentToken() token: TokenRecord, @Param('id', ParseIdPipe) id: number): Promise<ScheduleView> {
    return this.view(token, await this.schedules.get(token, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change a schedule; the recipient guard runs unless it stays paused with the same recipient, so a pause is never refused.',
  })
  @ApiOkResponse({ type: ScheduleView })
  @ApiErrors(400, 404, 409, 413, 422)
  async update(
    @CurrentToken() token: TokenRecord,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: UpdateScheduleDto,
  ): Promise<ScheduleView> {
    return this.view(token, await this.schedules.update(token, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a schedule; its past runs stay in the history.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(400, 404)
  async remove(@CurrentToken() token: TokenRecord, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.schedules.remove(token, id);
  }

  /** Schedules with their state (newest run, why paused): two more queries for the whole list. */
  private async views(token: TokenRecord, schedules: ScheduleRecord[]): Promise<ScheduleView[]> {
    const states = await this.schedules.stateOf(schedules);
    return schedules.map((schedule) => scheduleView(schedule, states.get(schedule.id)!, token));
  }

  private async view(token: TokenRecord, schedule: ScheduleRecord): Promise<ScheduleView> {
    return (await this.views(token, [schedule]))[0];
  }
}
