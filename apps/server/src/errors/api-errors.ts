import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** The body of every error answer (see SpotlightExceptionFilter). */
export class ErrorBody {
  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({
    example: 'NOT_FOUND',
    description:
      'A core error code (RECIPIENT_NOT_ALLOWED, DATABASE_UNAVAILABLE, ...) or the HTTP status name.',
  })
  error!: string;

  @ApiProperty({ example: 'No schedule has the id 7.', description: 'What went wrong, in one line.' })
  message!: string;
}

const WHEN: Record<number, string> = {
  400: 'Bad input; the message names the field.',
  401: 'Missing, unknown or revoked token.',
  403: 'Only a staff token may do this.',
  404: 'Unknown, or not visible to this token (the same answer for both).',
  409: 'Conflicts with the current state (SCHEDULE_CONFLICT, EXPORT_NOT_RESENDABLE); the message says which.',
  410: 'DOWNLOAD_EXPIRED: the link has expired.',
  413: 'The JSON body is larger than 100 KiB.',
  422: 'RECIPIENT_NOT_ALLOWED: not an active manager of that customer; the message says why.',
  429: 'Too many requests for this token, or too many failed authentications from this address.',
  500: 'CONFIGURATION: the server is not set up for this (the message says what to set), or an unexpected failure.',
  503: 'DATABASE_UNAVAILABLE: the database cannot be used right now.',
};

/** An error's body as sent: JSON, whatever a successful answer of the route is (a workbook, HTML). */
export const ERROR_CONTENT = { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } };

/** Documents error answers with their shared body; `429` also documents Retry-After. */
export function ApiErrors(...statuses: Array<keyof typeof WHEN>) {
  return applyDecorators(
    ApiExtraModels(ErrorBody),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: WHEN[status],
        content: ERROR_CONTENT,
        headers:
          status === 429
            ? {
                'Retry-After': {
                  description: 'Seconds until a request may be made again.',
                  schema: { type: 'integer' },
                },
              }
            : undefined,
      }),
    ),
  );
}

/** A workbook answer: the bytes of an .xlsx file. */
export const XLSX_BODY = { schema: { type: 'string', format: 'binary' } } as const;
