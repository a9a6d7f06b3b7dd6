import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TokenRecord } from '@spotlight/core';
import { CurrentToken } from '../auth/token.guard';
import { ScheduleService } from './schedule.service';
import { CreateScheduleDto, ListSchedulesQuery, UpdateScheduleDto, scheduleView } from './schedule.dto';

@ApiTags('schedules')
@ApiBearerAuth()
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  @Post()
  @ApiOperation({ summary: 'Create a schedule; the recipient must be an active manager of the customer.' })
  async create(@CurrentToken() token: TokenRecord, @Body() body: CreateScheduleDto) {
    return scheduleView(await this.schedules.create(token, body));
  }

  @Get()
  async list(@CurrentToken() token: TokenRecord, @Query() query: ListSchedulesQuery) {
    return { items: (await this.schedules.list(token, query.customer)).map(scheduleView) };
  }

  @Get(':id')
  async get(@CurrentToken() token: TokenRecord, @Param('id', ParseIntPipe) id: number) {
    return scheduleView(await this.schedules.get(token, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a schedule; the recipient guard runs again.' })
  async update(
    @CurrentToken() token: TokenRecord,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: UpdateScheduleDto,
  ) {
    return scheduleView(await this.schedules.update(token, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentToken() token: TokenRecord, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.schedules.remove(token, id);
  }
}
