import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { ServerSettings } from '../config/server.settings';
import type { TokenRecord } from '@spotlight/core';

/**
 * A request once TokenGuard has verified its token; `lastKnownScope` is the
 * scope its token had when last verified, for a request whose token could not
 * be verified now (the database is down): it decides how much an error says.
 */
export type AuthenticatedRequest = Request & { token?: TokenRecord; lastKnownScope?: TokenRecord['scope'] };

/** Both limits count over one minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * The per-token limit, applied by ThrottlerGuard after TokenGuard has found
 * the token. Counters live in this instance's memory: with several instances
 * behind a load balancer, a token may make up to the limit on each.
 */
export function tokenRateLimit(settings: ServerSettings): ThrottlerModuleOptions {
  return {
    throttlers: [{ ttl: RATE_LIMIT_WINDOW_MS, limit: settings.rateLimitPerToken }],
    // Public routes (health, download links) carry no token to count.
    skipIf: (context: ExecutionContext) => !context.switchToHttp().getRequest<AuthenticatedRequest>().token,
    getTracker: (request) => String((request as AuthenticatedRequest).token!.id),
    // One counter per token across every route, not one per route.
    generateKey: (_context, tracker, name) => `token:${name}:${tracker}`,
    errorMessage: (_context, detail) =>
      `Too many requests for this token: at most ${detail.limit} requests a minute; retry after ${detail.timeToBlockExpire} s (Retry-After).`,
  };
}

/** The address failed authentications are counted against: the TCP peer, or the client a trusted proxy names (SPOTLIGHT_TRUST_PROXY). */
export function clientAddress(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}
