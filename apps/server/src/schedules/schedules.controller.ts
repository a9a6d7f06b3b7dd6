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
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { TokenRecord } from '@spotlight/core';
import type { Response } from 'express';
import { CurrentToken } from '../auth/token.guard';
import { ScheduleService } from './schedule.service';
import { ParseIdPipe } from '../runs/request-rules';
import { ApiErrors } from '../errors/api-errors';
import {
  CreateScheduleDto,
  CreatedSchedule,
  ListSchedulesQuery,
  ScheduleList,
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
    return { ...scheduleView(schedule), existing };
  }

  @Get()
  @ApiOperation({ summary: 'The schedules this token can see, optionally of one customer.' })
  @ApiOkResponse({ type: ScheduleList })
  @ApiErrors(400)
  async list(@CurrentToken() token: TokenRecord, @Query() query: ListSchedulesQuery): Promise<ScheduleList> {
    return { items: (await this.schedules.list(token, query.customer)).map(scheduleView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One schedule, with its next due time.' })
  @ApiOkResponse({ type: ScheduleView })
  @ApiErrors(400, 404)
  async get(@CurrentToken() token: TokenRecord, @Param('id', ParseIdPipe) id: number): Promise<ScheduleView> {
    return scheduleView(await this.schedules.get(token, id));
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
    return scheduleView(await this.schedules.update(token, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a schedule; its past runs stay in the history.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(400, 404)
  async remove(@CurrentToken() token: TokenRecord, @Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.schedules.remove(token, id);
  }
}
