import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerStorage, ThrottlerException, ThrottlerStorage } from '@nestjs/throttler';
import { TokenService, type TokenRecord } from '@spotlight/core';
import type { Request, Response } from 'express';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';
import { RATE_LIMIT_WINDOW_MS, clientAddress, type AuthenticatedRequest } from './rate-limits';

const PUBLIC = 'spotlight:public';
/** Marks a route that needs no token (health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The verified token of the request. */
export const CurrentToken = createParamDecorator((_data: unknown, context: ExecutionContext): TokenRecord => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().token!;
});

/**
 * `Authorization: Bearer <token>`; missing, unknown or revoked tokens get 401,
 * and 429 once their address has failed too often in a minute.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
    @InjectThrottlerStorage() private readonly counters: ThrottlerStorage,
    @Inject(SERVER_SETTINGS) private readonly settings: ServerSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match)
      return this.refuse(
        context,
        'Send "Authorization: Bearer <token>"; create a token with "spotlight token create".',
      );
    const token = await this.tokens.authenticate(match[1]);
    if (!token)
      return this.refuse(
        context,
        'The token is unknown or revoked; create a new one with "spotlight token create".',
      );
    request.token = token;
    return true;
  }

  /** 401, counted against the address; 429 with Retry-After once it is over its limit. */
  private async refuse(context: ExecutionContext, message: string): Promise<never> {
    const http = context.switchToHttp();
    const limit = this.settings.authFailuresPerAddress;
    const { isBlocked, timeToBlockExpire } = await this.counters.increment(
      `auth-failures:${clientAddress(http.getRequest<Request>())}`,
      RATE_LIMIT_WINDOW_MS,
      limit,
      RATE_LIMIT_WINDOW_MS,
      'auth-failures',
    );
    if (!isBlocked) throw new UnauthorizedException(message);
    http.getResponse<Response>().setHeader('Retry-After', String(timeToBlockExpire));
    throw new ThrottlerException(
      `Too many failed authentications from this address: at most ${limit} a minute; retry after ${timeToBlockExpire} s (Retry-After) with a valid token.`,
    );
  }
}
