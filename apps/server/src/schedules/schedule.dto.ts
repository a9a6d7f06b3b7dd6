import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  describeCron,
  type PausedBy,
  type ScheduleRecord,
  type ScheduleState,
  type TokenRecord,
} from '@spotlight/core';
import { runView, trim } from '../runs/export-run.dto';
import { ExportRunView } from '../runs/export-run.responses';
import { IsRecipientAddress } from '../runs/request-rules';

export class CreateScheduleDto {
  @ApiProperty({ example: 'example.com' })
  @IsString()
  @IsNotEmpty()
  customer!: string;

  @ApiProperty({
    example: 'manager@example.com',
    description: 'An active manager of that customer; checked on save and at every run.',
  })
  @Transform(trim)
  @IsRecipientAddress()
  recipient!: string;

  @ApiProperty({
    example: '0 7 * * 1',
    description:
      'Five-field cron expression (minute hour day month weekday), evaluated in timeZone; due times at least SPOTLIGHT_SCHEDULE_MIN_INTERVAL_MINUTES (60) apart.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  cron!: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone; daylight saving is followed.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  timeZone!: string;

  @ApiPropertyOptional({
    type: Number,
    example: 30,
    nullable: true,
    description: 'Only activity of the last N days before each run; all activity when absent.',
  })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsInt({ message: 'windowDays must be a whole number of days' })
  @Min(1)
  @Max(3660)
  windowDays?: number | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateScheduleDto extends PartialType(CreateScheduleDto) {}

export class ListSchedulesQuery {
  @ApiPropertyOptional({ example: 'example.com' })
  @IsOptional()
  @IsString()
  customer?: string;
}

/** While a schedule is paused: when, by whom and why. */
export class SchedulePauseView {
  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({
    enum: ['token', 'support', 'system', 'recipient'],
    description:
      'token: an API token (tokenId); support: the command line; system: the server (its last due times failed, or it duplicated another schedule); recipient: the link in its email.',
  })
  by!: PausedBy;

  @ApiProperty({ type: Number, nullable: true, example: 3, description: 'The token that paused it.' })
  tokenId!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'its last 3 due times failed',
    description: "Support's words (the command line's --reason) or the server's; null when none was given.",
  })
  reason!: string | null;
}

/** A schedule as the API shows it. */
export class ScheduleView {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'example.com' })
  customer!: string;

  @ApiProperty({ example: 'manager@example.com' })
  recipient!: string;

  @ApiProperty({ example: '0 7 * * 1' })
  cron!: string;

  @ApiProperty({ example: 'Europe/Berlin' })
  timeZone!: string;

  @ApiProperty({
    example: 'At 07:00, only on Monday',
    description: 'The cron in English words, as POST /schedules/preview says it.',
  })
  description!: string;

  @ApiProperty({ type: Number, nullable: true, example: 30 })
  windowDays!: number | null;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null while paused.' })
  nextDueAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      '"recipient" when its recipient stopped it with the unsubscribe link of its email; null otherwise (enabled, or paused by support or the system).',
  })
  pausedBy!: string | null;

  @ApiProperty({
    type: () => SchedulePauseView,
    nullable: true,
    description: 'While paused: when, by whom and why, from the audit trail; null while enabled.',
  })
  pause!: SchedulePauseView | null;

  @ApiProperty({
    type: () => ExportRunView,
    nullable: true,
    description: 'Its newest run, as GET /exports/{id} shows it; null before its first.',
  })
  lastRun!: ExportRunView | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class CreatedSchedule extends ScheduleView {
  @ApiProperty({
    description: 'True when an identical enabled schedule already existed and is returned instead.',
  })
  existing!: boolean;
}

export class ScheduleList {
  @ApiProperty({ type: [ScheduleView] })
  items!: ScheduleView[];
}

export function scheduleView(
  schedule: ScheduleRecord,
  state: ScheduleState,
  token: TokenRecord,
): ScheduleView {
  const { pause, lastRun } = state;
  return {
    id: schedule.id,
    customer: schedule.customer,
    recipient: schedule.recipient,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    description: describeCron(schedule.cron),
    windowDays: schedule.windowDays,
    enabled: schedule.enabled,
    nextDueAt: schedule.nextDueAt?.toISOString() ?? null,
    pausedBy: schedule.pausedBy ?? null,
    pause: pause && { ...pause, at: pause.at.toISOString() },
    lastRun: lastRun && runView(lastRun, token),
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}

export class SchedulePreviewDto {
  @ApiProperty({ example: '0 7 * * 1', description: 'Five-field cron expression, as for POST /schedules.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  cron!: string;

  @ApiProperty({ example: 'Europe/Paris', description: 'IANA time zone the cron is read in.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  timeZone!: string;

  @ApiPropertyOptional({
    type: Number,
    example: 7,
    nullable: true,
    description: 'The window the schedule would have; checked as POST /schedules checks it.',
  })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsInt({ message: 'windowDays must be a whole number of days' })
  @Min(1)
  @Max(3660)
  windowDays?: number | null;
}

/** What a schedule with that cron and zone would do; nothing is saved. */
export class SchedulePreview {
  @ApiProperty({ example: '0 7 * * 1' })
  cron!: string;

  @ApiProperty({ example: 'Europe/Paris' })
  timeZone!: string;

  @ApiProperty({ example: 'At 07:00, only on Monday', description: 'The cron in English words.' })
  description!: string;

  @ApiProperty({
    type: [String],
    example: ['2026-12-14T07:00:00+01:00'],
    description: 'The next 5 due times, ISO 8601 with the offset of timeZone at each.',
  })
  nextDue!: string[];

  @ApiProperty({ example: 60, description: 'The shortest time allowed between two due times.' })
  minimumIntervalMinutes!: number;
}
