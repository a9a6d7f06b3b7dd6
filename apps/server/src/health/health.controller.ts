import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Knex } from 'knex';
import type { Response } from 'express';
import { firstLine, type MailRepository } from '@spotlight/core';
import { Public } from '../auth/token.guard';
import { MAIL, PRIMARY_DB, READ_DB, SERVER_SETTINGS } from '../database/database.tokens';
import type { ServerSettings } from '../config/server.settings';

class MailState {
  @ApiProperty({ description: 'Whether SMTP_URL is set; without it mail goes to the outbox folder.' })
  configured!: boolean;

  @ApiProperty({ example: 'smtp://mail.example.com:587' })
  destination!: string;
}

class HealthView {
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status!: 'ok' | 'degraded';

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { primary: 'ok' },
    description: '"ok" or "unreachable: <reason>" for the primary and, when set, the replica.',
  })
  database!: Record<string, string>;

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
    @Inject(PRIMARY_DB) private readonly primary: Knex,
    @Inject(READ_DB) private readonly replica: Knex,
    @Inject(MAIL) private readonly mail: MailRepository,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Database reachable and mail configured; 503 when the database is not.' })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'A database cannot be reached.' })
  async health(@Res({ passthrough: true }) response: Response): Promise<HealthView> {
    const databases =
      this.primary === this.replica
        ? { primary: this.primary }
        : { primary: this.primary, replica: this.replica };
    const database: Record<string, string> = {};
    for (const [name, knex] of Object.entries(databases)) {
      try {
        await knex.raw('select 1');
        database[name] = 'ok';
      } catch (error) {
        database[name] = `unreachable: ${firstLine((error as Error).message)}`;
      }
    }
    const ok = Object.values(database).every((state) => state === 'ok');
    response.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'degraded',
      database,
      mail: { configured: Boolean(this.settings.core.smtpUrl), destination: this.mail.destination },
      instance: this.settings.instanceId,
      background: this.settings.background,
    };
  }
}
