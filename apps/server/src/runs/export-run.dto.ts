import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import {
  RUN_STATUSES,
  tenantMessage,
  type RunRecord,
  type RunStatus,
  type TokenRecord,
} from '@spotlight/core';
import { IsRangeBound, IsRecipientAddress, IsRequestedBy } from './request-rules';

/** Spaces around a value are not an error. */
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateExportDto {
  @ApiProperty({ example: 'example.com', description: 'The customer (django_site.domain).' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  customer!: string;

  @ApiProperty({ example: 'manager@example.com', description: 'An active manager of that customer.' })
  @Transform(trim)
  @IsRecipientAddress()
  recipient!: string;

  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'Activity created on or after this day (in timeZone) or instant.',
  })
  @IsOptional()
  @IsRangeBound()
  since?: string;

  @ApiPropertyOptional({
    example: '2026-06-30',
    description: 'Activity created up to this day (inclusive) or before this instant.',
  })
  @IsOptional()
  @IsRangeBound()
  until?: string;

  @ApiPropertyOptional({
    example: 'Europe/Paris',
    default: 'UTC',
    description: 'IANA time zone of bare since/until dates and of every date in the workbook and the email.',
  })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  timeZone?: string;

  @ApiPropertyOptional({
    example: 'Jane Doe, Spotlight support',
    maxLength: 200,
    description:
      'Who the email says asked for the export: one line, at most 200 characters. Without it the email says "Spotlight support".',
  })
  @Transform(trim)
  @IsOptional()
  @IsRequestedBy()
  requestedBy?: string;
}

export class ListExportsQuery {
  @ApiPropertyOptional({ example: 'example.com' })
  @IsOptional()
  @IsString()
  customer?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  @ApiPropertyOptional({ enum: ['cli', 'api', 'schedule'], description: 'Who asked for the export.' })
  @IsOptional()
  @IsIn(['cli', 'api', 'schedule'], { message: 'source must be cli, api or schedule' })
  source?: 'cli' | 'api' | 'schedule';

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

/** The range is read by core when the workbook is built, and its message names the bad date. */
export class DownloadQuery {
  @ApiPropertyOptional({ example: '2026-01-01' })
  @IsOptional()
  @IsString()
  since?: string;

  @ApiPropertyOptional({ example: '2026-06-30' })
  @IsOptional()
  @IsString()
  until?: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', default: 'UTC' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  timeZone?: string;
}

/**
 * What the API shows of a run. A run's error and operator name the server's
 * hosts, OS accounts and processes (and, from the guard, other customers):
 * a site token sees no operator, and the error's tenant line by its code.
 */
export function runView(run: RunRecord, token: TokenRecord) {
  const detailed = token.scope === 'staff';
  return {
    id: run.id,
    status: run.status,
    source: run.source,
    operator: detailed ? run.operator : null,
    requestedBy: run.requestedBy,
    customer: run.customer,
    recipient: run.recipient,
    since: run.since?.toISOString() ?? null,
    until: run.until?.toISOString() ?? null,
    timeZone: run.timeZone,
    scheduleId: run.scheduleId,
    dueAt: run.dueAt?.toISOString() ?? null,
    attempts: run.attempts,
    counts: run.active === null ? null : { active: run.active, inactive: run.inactive },
    bytes: run.bytes,
    queries: run.queries,
    timings: {
      queuedAt: run.createdAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      nextAttemptAt: run.status === 'queued' ? run.nextAttemptAt.toISOString() : null,
      durationMs: run.durationMs,
    },
    delivery: run.delivery,
    linkExpiresAt: run.linkExpiresAt?.toISOString() ?? null,
    messageId: run.messageId,
    resendOf: run.resendOf,
    error: detailed || run.error === null ? run.error : tenantRunError(run),
    errorCode: run.errorCode,
    tokenId: run.tokenId,
  };
}

function tenantRunError(run: RunRecord): string {
  if (run.status === 'failed') return tenantMessage(run.errorCode, run);
  // Otherwise the error is the note of an attempt that is made again.
  return run.status === 'queued'
    ? `Not sent yet; the export will be tried again at ${run.nextAttemptAt.toISOString()}.`
    : 'An attempt did not succeed; the export is being tried again.';
}
