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
import { TokenService, sha256Hex, type TokenRecord } from '@spotlight/core';
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

/** How many tokens' last known scopes an instance remembers. */
const REMEMBERED_SCOPES = 1000;

/**
 * `Authorization: Bearer <token>`; missing, unknown or revoked tokens get 401,
 * and 429 once their address has failed too often in a minute.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  /** By the token's SHA-256: never grants anything, only tells a staff token's 503 from a site token's. */
  private readonly scopes = new Map<string, TokenRecord['scope']>();

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
    const hash = sha256Hex(match[1]);
    const token = await this.tokens.authenticate(match[1]).catch((error: unknown) => {
      request.lastKnownScope = this.scopes.get(hash);
      throw error;
    });
    this.remember(hash, token?.scope);
    if (!token)
      return this.refuse(
        context,
        'The token is unknown or revoked; create a new one with "spotlight token create".',
      );
    request.token = token;
    return true;
  }

  /** The scope a token was last verified with, the most recent first; an unknown or revoked token's is forgotten. */
  private remember(hash: string, scope: TokenRecord['scope'] | undefined): void {
    this.scopes.delete(hash);
    if (!scope) return;
    this.scopes.set(hash, scope);
    for (const oldest of this.scopes.keys()) {
      if (this.scopes.size <= REMEMBERED_SCOPES) break;
      this.scopes.delete(oldest);
    }
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
