import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
} from '@nestjs/common';
import {
  explainDatabaseError,
  formatBytes,
  isSpotlightError,
  maskUrl,
  type ErrorCode,
} from '@spotlight/core';
import type { Response } from 'express';
import { NotVisibleError } from '../auth/not-visible.error';
import type { AuthenticatedRequest } from '../auth/rate-limits';
import { StaffOnlyError } from '../auth/staff-only.error';
import type { ServerSettings } from '../config/server.settings';
import { SERVER_SETTINGS } from '../database/database.tokens';

/** Core's error codes as HTTP statuses: the one place the server translates them. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: HttpStatus.BAD_REQUEST,
  CONFIGURATION: HttpStatus.INTERNAL_SERVER_ERROR,
  CUSTOMER_NOT_FOUND: HttpStatus.NOT_FOUND,
  RECIPIENT_NOT_ALLOWED: HttpStatus.UNPROCESSABLE_ENTITY,
  MAIL_FAILED: HttpStatus.BAD_GATEWAY,
  DELIVERY_UNCONFIRMED: HttpStatus.BAD_GATEWAY,
  EXPORT_NOT_RESENDABLE: HttpStatus.CONFLICT,
  SCHEDULE_CONFLICT: HttpStatus.CONFLICT,
  DATABASE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  DOWNLOAD_NOT_FOUND: HttpStatus.NOT_FOUND,
  DOWNLOAD_EXPIRED: HttpStatus.GONE,
  EXPORT_IN_PROGRESS: HttpStatus.CONFLICT,
  // The server's own disk (scratch, storage) is full or read-only: not the client's fault, and temporary.
  STORAGE: HttpStatus.SERVICE_UNAVAILABLE,
  // Stopped by a shutdown before anything was sent: temporary, asking again is safe.
  INTERRUPTED: HttpStatus.SERVICE_UNAVAILABLE,
};

/** What body-parser throws for a body it refuses (http-errors): a client's mistake, not ours. */
interface BodyParserError extends Error {
  status: number;
  type: string;
  limit?: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | null;
  return (
    typeof candidate?.type === 'string' &&
    candidate.type.startsWith('entity.') &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500
  );
}

/**
 * Every error leaves as JSON `{statusCode, error, message}`; unexpected ones
 * are logged, not shown. Driver errors that mean the database cannot be used
 * become 503 here, whichever repository met them. Anyone but a staff token
 * is told only what is true inside one customer: core's tenant line of the error.
 */
@Catch()
export class SpotlightExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private readonly databaseLabel: string;

  constructor(@Inject(SERVER_SETTINGS) settings: ServerSettings) {
    // Exports explain replica errors themselves; what reaches here unexplained came from the primary.
    this.databaseLabel = maskUrl(settings.core.databaseUrl);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<AuthenticatedRequest>();
    // Only a staff token reads the detail; a request whose token is not known to be one is told the tenant line.
    const scope = request.token?.scope ?? request.lastKnownScope;
    const { status, code, message } = this.describe(error, scope !== 'staff');
    if (response.headersSent) {
      // A download that failed midway: the client sees a truncated body and a reset.
      response.destroy();
      return;
    }
    response.status(status).json({ statusCode: status, error: code, message });
  }

  private describe(error: unknown, tenant: boolean): { status: number; code: string; message: string } {
    if (isSpotlightError(error))
      return {
        status: STATUS_BY_CODE[error.code],
        code: error.code,
        message: tenant ? error.tenantMessage : error.message,
      };
    // NestJS 12's Express adapter hands body-parser's error over wrapped in an HttpException, as its cause.
    const parser = isBodyParserError(error)
      ? error
      : error instanceof HttpException && isBodyParserError(error.cause)
        ? error.cause
        : null;
    if (parser) {
      const message =
        parser.type === 'entity.too.large'
          ? `The request body is larger than ${formatBytes(parser.limit ?? 0)}; send a smaller JSON body.`
          : parser.message;
      return { status: parser.status, code: HttpStatus[parser.status] ?? 'BAD_REQUEST', message };
    }
    if (error instanceof NotVisibleError)
      return { status: HttpStatus.NOT_FOUND, code: 'NOT_FOUND', message: error.message };
    if (error instanceof StaffOnlyError)
      return { status: HttpStatus.FORBIDDEN, code: 'FORBIDDEN', message: error.message };
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const raw =
        typeof body === 'object' && body !== null && 'message' in body
          ? (body as { message: unknown }).message
          : error.message;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw);
      return { status: error.getStatus(), code: HttpStatus[error.getStatus()] ?? 'ERROR', message };
    }
    const database = explainDatabaseError(error, this.databaseLabel);
    if (isSpotlightError(database)) {
      this.logger.warn(database.message);
      return {
        status: STATUS_BY_CODE[database.code],
        code: database.code,
        message: tenant ? database.tenantMessage : database.message,
      };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Internal error; the server log has the details.',
    };
  }
}
