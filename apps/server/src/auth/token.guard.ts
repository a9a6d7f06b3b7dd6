import {
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TokenService, type TokenRecord } from '@spotlight/core';
import type { Request } from 'express';

const PUBLIC = 'spotlight:public';
/** Marks a route that needs no token (health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthenticatedRequest = Request & { token?: TokenRecord };

/** The verified token of the request. */
export const CurrentToken = createParamDecorator((_data: unknown, context: ExecutionContext): TokenRecord => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().token!;
});

/** `Authorization: Bearer <token>`; missing, unknown or revoked tokens get 401. */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match)
      throw new UnauthorizedException(
        'Send "Authorization: Bearer <token>"; create a token with "spotlight token create".',
      );
    const token = await this.tokens.authenticate(match[1]);
    if (!token)
      throw new UnauthorizedException(
        'The token is unknown or revoked; create a new one with "spotlight token create".',
      );
    request.token = token;
    return true;
  }
}
