import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination, stdTimeFunctions } from 'pino';
import type { LogLevel } from '../config/server.settings';
import { runLogFields } from './run-log-context';

/** The header a request id is read from and echoed in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming id is kept only if it is short and plain, so it cannot forge log content. */
const ACCEPTED_REQUEST_ID = /^[\w.:@/-]{1,128}$/;

/** Probes and scrapes come every few seconds: their successful answers are not worth a line each. */
const UNLOGGED = /^\/(health(\/(live|ready))?|metrics)(\?|$)/;

/** A download link's token is its only credential: it never reaches the log. */
function redactedUrl(url: string | undefined): string | undefined {
  return url?.replace(/^\/downloads\/[^/?#]+/, '/downloads/<token>');
}

/**
 * JSON logs, one object per line on stdout, with pino (through nestjs-pino),
 * each key once and a `context` on every line ("HTTP" on a request's own line).
 * Every line of an HTTP request carries its `requestId` (the caller's
 * X-Request-Id when it sends a plain one, else a new UUID, echoed in the
 * answer); every line of a worker's run carries its `runId`.
 */
export function loggingModule(level: LogLevel): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level,
        // Lines logged while a request is handled carry its id, not the whole request again.
        quietReqLogger: true,
        timestamp: stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        mixin: runLogFields,
        customAttributeKeys: { reqId: 'requestId' },
        genReqId: (request: IncomingMessage, response: ServerResponse) => {
          const sent = request.headers[REQUEST_ID_HEADER];
          const id = typeof sent === 'string' && ACCEPTED_REQUEST_ID.test(sent) ? sent : randomUUID();
          response.setHeader(REQUEST_ID_HEADER, id);
          return id;
        },
        // customAttributeKeys already puts requestId on every line of a request: only the context here,
        // or the request's own line would carry requestId twice, which Elasticsearch-style consumers reject.
        customProps: () => ({ context: 'HTTP' }),
        customLogLevel: (_request, response, error) =>
          error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
        autoLogging: {
          ignore: (request: IncomingMessage) =>
            UNLOGGED.test(request.url ?? '') && (request.method === 'GET' || request.method === 'HEAD'),
        },
        // Never the headers: they carry bearer tokens.
        serializers: {
          req: (request: { method?: string; url?: string; remoteAddress?: string }) => ({
            method: request.method,
            url: redactedUrl(request.url),
            remoteAddress: request.remoteAddress,
          }),
          res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
        },
      },
      // Written at once: Nest ends a process on SIGTERM with a signal, and a buffer would lose the last lines.
      destination({ dest: 1, sync: true }),
    ],
  });
}
