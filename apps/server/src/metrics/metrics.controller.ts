import { timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '@spotlight/core';
import { Controller, Get, Headers, Inject, Res, UnauthorizedException } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/token.guard';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { ERROR_CONTENT, ErrorBody } from '../errors/api-errors';
import { METRICS_SECURITY } from '../openapi/openapi.document';
import { ExportMetrics } from './export-metrics';

/**
 * Prometheus scrapes this. It needs no API token (a scraper is not a staff
 * member) and names no customer; set SPOTLIGHT_METRICS_TOKEN to require
 * `Authorization: Bearer <it>` when the port is reachable from outside.
 */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ExportMetrics,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Prometheus metrics of this instance and of the shared queue; a Bearer SPOTLIGHT_METRICS_TOKEN when that is set.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text format 0.0.4.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  // No token, or SPOTLIGHT_METRICS_TOKEN when that is set.
  @ApiSecurity({})
  @ApiSecurity(METRICS_SECURITY)
  @ApiExtraModels(ErrorBody)
  @ApiUnauthorizedResponse({
    content: ERROR_CONTENT,
    description: 'SPOTLIGHT_METRICS_TOKEN is set and was not sent.',
  })
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const expected = this.settings.metricsToken;
    if (expected) {
      const sent = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? '';
      if (!timingSafeEqual(Buffer.from(sha256Hex(sent)), Buffer.from(sha256Hex(expected))))
        throw new UnauthorizedException(
          'Send "Authorization: Bearer <SPOTLIGHT_METRICS_TOKEN>"; /metrics needs that token, not an API token.',
        );
    }
    const { contentType, body } = await this.metrics.render();
    response.type(contentType);
    return body;
  }
}
