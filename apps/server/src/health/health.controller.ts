import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { MailRepository } from '@spotlight/core';
import { Public } from '../auth/token.guard';
import { MAIL, SERVER_SETTINGS } from '../database/database.tokens';
import type { ServerSettings } from '../config/server.settings';
import { ReadinessService } from './readiness.service';

class MailState {
  @ApiProperty({ description: 'Whether SMTP_URL is set; without it mail goes to the outbox folder.' })
  configured!: boolean;

  @ApiProperty({ example: 'smtp://mail.example.com:587' })
  destination!: string;
}

class LivenessView {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';

  @ApiProperty({ example: 'web-1-4242' })
  instance!: string;
}

class HealthView {
  @ApiProperty({
    enum: ['ok', 'degraded', 'stopping'],
    description: '"stopping" from the moment shutdown starts.',
  })
  status!: 'ok' | 'degraded' | 'stopping';

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { primary: 'ok' },
    description:
      '"ok" or "unreachable: <reason>" for the primary and, when set, the replica; a database that does not answer within SPOTLIGHT_PROBE_TIMEOUT_MS is unreachable.',
  })
  database!: Record<string, string>;

  @ApiProperty({
    example: 'ok',
    description:
      '"ok", "off" (SPOTLIGHT_BACKGROUND=off) or "stale: ..." when the scheduler has not finished a tick for SPOTLIGHT_SCHEDULER_STALE_MS.',
  })
  scheduler!: string;

  @ApiProperty({ type: MailState })
  mail!: MailState;

  @ApiProperty({ example: 'web-1-4242' })
  instance!: string;

  @ApiProperty({ description: 'Whether this instance runs the scheduler and the worker.' })
  background!: boolean;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(MAIL) private readonly mail: MailRepository,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({
    summary: 'The process answers; asks no database, so it stays 200 while the database is down.',
  })
  @ApiOkResponse({ type: LivenessView })
  live(): LivenessView {
    return { status: 'ok', instance: this.settings.instanceId };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary:
      'Databases answer within a bound and the scheduler ticks; 503 when not (take the instance out of rotation).',
  })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({
    type: HealthView,
    description: 'A database or the scheduler is not ready, or the instance is shutting down.',
  })
  ready(@Res({ passthrough: true }) response: Response): Promise<HealthView> {
    return this.health(response);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'The same as /health/ready, and mail configuration.' })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({
    type: HealthView,
    description: 'A database or the scheduler is not ready.',
  })
  async health(@Res({ passthrough: true }) response: Response): Promise<HealthView> {
    const { ready, stopping, database, scheduler } = await this.readiness.check();
    response.status(ready ? 200 : 503);
    return {
      status: ready ? 'ok' : stopping ? 'stopping' : 'degraded',
      database,
      scheduler,
      mail: { configured: Boolean(this.settings.core.smtpUrl), destination: this.mail.destination },
      instance: this.settings.instanceId,
      background: this.settings.background,
    };
  }
}
