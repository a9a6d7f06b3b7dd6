import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { trim } from '../runs/export-run.dto';
import { toId } from '../runs/request-rules';
import type { AuditRecord } from '@spotlight/core';

export class ListAuditQuery {
  @ApiPropertyOptional({
    example: 'schedule.pause',
    description:
      'Only this action: export.queue, export.download, schedule.create, schedule.update, schedule.delete, schedule.pause, alert.sent, alert.failed, ...',
  })
  @IsOptional()
  @Transform(trim)
  @Matches(/^[a-z]+(\.[a-z]+)*$/, { message: 'action must look like schedule.pause' })
  action?: string;

  @ApiPropertyOptional({ example: 3, description: 'Only what this token (by id) asked for.' })
  @IsOptional()
  @Transform(toId)
  @IsInt({ message: 'tokenId must be a token id, a whole number' })
  @Min(1, { message: 'tokenId must be a token id, a whole number' })
  tokenId?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

/** One entry of the audit trail. */
export class AuditEntryView {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The token that asked; null when the server acted by itself (a paused schedule, an alert).',
  })
  tokenId!: number | null;

  @ApiProperty({ example: 'export.queue' })
  action!: string;

  @ApiProperty({ example: 'run:42', description: 'What it was about: run:<id>, schedule:<id>, ...' })
  target!: string;

  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'What was asked or what happened, as recorded.',
  })
  detail!: Record<string, unknown> | null;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] })
  items!: AuditEntryView[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next, older page.' })
  nextCursor!: string | null;
}

export function auditView(record: AuditRecord): AuditEntryView {
  return {
    id: record.id,
    at: record.at.toISOString(),
    tokenId: record.tokenId,
    action: record.action,
    target: record.target,
    detail: record.detail,
  };
}
