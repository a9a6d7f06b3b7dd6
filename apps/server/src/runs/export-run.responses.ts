import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES, type RunDelivery, type RunSource, type RunStatus } from '@spotlight/core';

/** The header of a 202: where the queued export can be followed. */
export const LOCATION_HEADER = {
  Location: {
    description: 'The queued export: /exports/{id}.',
    schema: { type: 'string', example: '/exports/42' },
  },
};

/** What POST /exports answers. */
export class QueuedExport {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ enum: RUN_STATUSES, example: 'queued' })
  status!: RunStatus;

  @ApiProperty({ description: 'true when the same export was already queued or running: this is its id.' })
  existing!: boolean;
}

export class RunCounts {
  @ApiProperty({ example: 280 })
  active!: number;

  @ApiProperty({ type: Number, nullable: true, example: 20 })
  inactive!: number | null;
}

export class RunTimings {
  @ApiProperty({ format: 'date-time' })
  queuedAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finishedAt!: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'While queued: the next try.',
  })
  nextAttemptAt!: string | null;

  @ApiProperty({ nullable: true, type: Number })
  durationMs!: number | null;
}

/** One export run, as GET /exports/:id shows it. */
export class ExportRunView {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({
    enum: RUN_STATUSES,
    description:
      'unconfirmed: the whole email went to the mail server and its answer was lost, so it may have arrived (see messageId); it is never sent again by itself (POST /exports/{id}/resend).',
  })
  status!: RunStatus;

  @ApiProperty({ enum: ['cli', 'api', 'schedule'], description: 'What started the export.' })
  source!: RunSource;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Who ran it from the CLI (staff tokens only); null for API and schedules.',
  })
  operator!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Jane Doe, Spotlight support',
    description: 'Who the email said asked for it; null: "Spotlight support" (or the schedule).',
  })
  requestedBy!: string | null;

  @ApiProperty({ example: 'example.com' })
  customer!: string;

  @ApiProperty({ example: 'manager@example.com' })
  recipient!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  since!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  until!: string | null;

  @ApiProperty({ example: 'UTC', description: 'The zone the workbook and the email show dates in.' })
  timeZone!: string;

  @ApiProperty({ nullable: true, type: Number })
  scheduleId!: number | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  dueAt!: string | null;

  @ApiProperty({ example: 1 })
  attempts!: number;

  @ApiProperty({ type: RunCounts, nullable: true, description: 'Users in the workbook, once built.' })
  counts!: RunCounts | null;

  @ApiProperty({ nullable: true, type: Number, description: 'Size of the workbook.' })
  bytes!: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'SQL statements the export ran.' })
  queries!: number | null;

  @ApiProperty({ type: RunTimings })
  timings!: RunTimings;

  @ApiProperty({
    enum: ['attachment', 'link'],
    nullable: true,
    description: 'How the workbook was sent: attached, or behind a download link.',
  })
  delivery!: RunDelivery | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the download link expires.',
  })
  linkExpiresAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The Message-ID of its email, once one was sent or may have been: every attempt carries the same.',
  })
  messageId!: string | null;

  @ApiProperty({ nullable: true, type: Number, description: 'The export this one sends again on purpose.' })
  resendOf!: number | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Why the run failed, in one line; a site token reads only what is true inside its customer (no hosts, accounts or addresses of the servers).',
  })
  error!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'RECIPIENT_NOT_ALLOWED',
    description: 'The error code of a failure.',
  })
  errorCode!: string | null;

  @ApiProperty({ nullable: true, type: Number, description: 'The token that asked; null for a deleted one.' })
  tokenId!: number | null;
}

export class ExportRunPage {
  @ApiProperty({ type: [ExportRunView] })
  items!: ExportRunView[];

  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next, older page.' })
  nextCursor!: string | null;
}
