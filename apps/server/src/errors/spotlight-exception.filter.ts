import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { isSpotlightError, type ErrorCode } from '@spotlight/core';
import type { Response } from 'express';
import { NotVisibleError } from '../auth/not-visible.error';

/** Core's error codes as HTTP statuses: the one place the server translates them. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: HttpStatus.BAD_REQUEST,
  CONFIGURATION: HttpStatus.INTERNAL_SERVER_ERROR,
  CUSTOMER_NOT_FOUND: HttpStatus.NOT_FOUND,
  RECIPIENT_NOT_ALLOWED: HttpStatus.UNPROCESSABLE_ENTITY,
  MAIL_FAILED: HttpStatus.BAD_GATEWAY,
  DATABASE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  DOWNLOAD_NOT_FOUND: HttpStatus.NOT_FOUND,
  DOWNLOAD_EXPIRED: HttpStatus.GONE,
  EXPORT_IN_PROGRESS: HttpStatus.CONFLICT,
  // The server's own disk (scratch, storage) is full or read-only: not the client's fault, and temporary.
  STORAGE: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Every error leaves as JSON `{statusCode, error, message}`; unexpected ones are logged, not shown. */
@Catch()
export class SpotlightExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code, message } = this.describe(error);
    if (response.headersSent) {
      // A download that failed midway: the client sees a truncated body and a reset.
      response.destroy();
      return;
    }
    response.status(status).json({ statusCode: status, error: code, message });
  }

  private describe(error: unknown): { status: number; code: string; message: string } {
    if (isSpotlightError(error))
      return { status: STATUS_BY_CODE[error.code], code: error.code, message: error.message };
    if (error instanceof NotVisibleError)
      return { status: HttpStatus.NOT_FOUND, code: 'NOT_FOUND', message: error.message };
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const raw =
        typeof body === 'object' && body !== null && 'message' in body
          ? (body as { message: unknown }).message
          : error.message;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw);
      return { status: error.getStatus(), code: HttpStatus[error.getStatus()] ?? 'ERROR', message };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Internal error; the server log has the details.',
    };
  }
}
