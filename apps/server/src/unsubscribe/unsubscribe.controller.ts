import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { RATE_LIMIT_WINDOW_MS, clientAddress } from '../auth/rate-limits';
import { Public } from '../auth/token.guard';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { ApiErrors } from '../errors/api-errors';
import { confirmPage, refusalPage, stoppedPage } from './unsubscribe.page';
import { UnsubscribeService } from './unsubscribe.service';

/** A one-click POST carries one short field; anything bigger is not one. */
const MAX_FORM_BYTES = 2_048;

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds until a request may be made again.', schema: { type: 'integer' } },
};
const HTML = { 'text/html': { schema: { type: 'string' } } };
const htmlAnswer = (status: number, description: string, headers?: typeof RETRY_AFTER) =>
  ApiResponse({ status, description, content: HTML, headers });

/**
 * The unsubscribe link of scheduled emails (RFC 8058). No bearer token: the
 * signed link is the credential. A GET only shows what would stop (mail
 * scanners open links); only a POST stops anything. Answers are small HTML
 * pages, for the recipient's browser.
 */
@ApiTags('unsubscribe')
@Controller('unsubscribe')
export class UnsubscribeController {
  constructor(
    private readonly unsubscribe: UnsubscribeService,
    @InjectThrottlerStorage() private readonly counters: ThrottlerStorage,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  @Get(':token')
  @Public()
  @ApiOperation({
    summary: 'Shows which export the link stops, with a button that POSTs; changes nothing.',
    security: [],
  })
  @ApiParam({ name: 'token', description: 'The signed token of the link in a scheduled email.' })
  @ApiProduces('text/html')
  @htmlAnswer(200, 'A page naming the customer and recipient whose export would stop, and a button.')
  @htmlAnswer(404, 'A tampered, unknown or outdated link (its schedule was resumed since); nothing changed.')
  @htmlAnswer(429, 'Too many invalid links from this address in a minute.', RETRY_AFTER)
  @ApiErrors(503)
  async show(
    @Param('token') token: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const linked = await this.unsubscribe.find(token);
    if (!linked) return this.refuseLink(request, response);
    send(response, 200, confirmPage(linked));
  }

  @Post(':token')
  @Public()
  @ApiOperation({
    summary:
      'One-click unsubscribe: pauses the schedule the link names, as paused by its recipient; body List-Unsubscribe=One-Click.',
    security: [],
  })
  @ApiParam({ name: 'token', description: 'The signed token of the link in a scheduled email.' })
  @ApiProduces('text/html')
  @htmlAnswer(200, 'Stopped, or already stopped (nothing recorded twice).')
  @htmlAnswer(400, 'The body is not List-Unsubscribe=One-Click (form-urlencoded or multipart).')
  @htmlAnswer(404, 'A tampered, unknown or outdated link (its schedule was resumed since); nothing changed.')
  @htmlAnswer(413, `A body larger than ${MAX_FORM_BYTES} bytes.`)
  @htmlAnswer(429, 'Too many invalid links from this address in a minute.', RETRY_AFTER)
  @ApiErrors(503)
  async stop(
    @Param('token') token: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const body = await readSmallBody(request, MAX_FORM_BYTES);
    if (body === null)
      return send(
        response,
        413,
        refusalPage('Request too large', 'This request is not an unsubscribe request.'),
      );
    if (!isOneClick(request.headers['content-type'] ?? '', body))
      return send(
        response,
        400,
        refusalPage(
          'Not an unsubscribe request',
          'An unsubscribe request posts List-Unsubscribe=One-Click; open the link in a browser and press the button.',
        ),
      );
    const linked = await this.unsubscribe.find(token);
    if (!linked) return this.refuseLink(request, response);
    send(response, 200, stoppedPage(linked, await this.unsubscribe.unsubscribe(linked)));
  }

  /** 404, counted against the address like a failed authentication; 429 once it is over its limit. */
  private async refuseLink(request: Request, response: Response): Promise<void> {
    const limit = this.settings.authFailuresPerAddress;
    const { isBlocked, timeToBlockExpire } = await this.counters.increment(
      `auth-failures:${clientAddress(request)}`,
      RATE_LIMIT_WINDOW_MS,
      limit,
      RATE_LIMIT_WINDOW_MS,
      'auth-failures',
    );
    if (isBlocked) {
      response.setHeader('Retry-After', String(timeToBlockExpire));
      return send(
        response,
        429,
        refusalPage(
          'Too many requests',
          `Too many invalid links from this address; try again in ${timeToBlockExpire} s.`,
        ),
      );
    }
    send(
      response,
      404,
      refusalPage(
        'This link does not work',
        'This unsubscribe link is not valid: it was changed, its schedule no longer exists, or the schedule was turned on again since this email was sent. Use the link of the latest email, or ask your Spotlight support contact.',
      ),
    );
  }
}

function send(response: Response, status: number, html: string): void {
  response.status(status);
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Robots-Tag', 'noindex');
  response.send(html);
}

/** The body as text, or null when it is larger than `limit` bytes. A JSON body was read already: empty. */
async function readSmallBody(request: Request, limit: number): Promise<string | null> {
  if (request.readableEnded) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** RFC 8058's body, form-urlencoded (browsers, most mail providers) or multipart/form-data. */
function isOneClick(contentType: string, body: string): boolean {
  // eslint-disable-next-line no-restricted-syntax -- a media type, not an address
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded')
    return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
  if (type === 'multipart/form-data')
    return /name="?List-Unsubscribe"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  return false;
}
