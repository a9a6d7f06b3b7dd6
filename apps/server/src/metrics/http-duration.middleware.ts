import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ExportMetrics } from './export-metrics';

/**
 * The pattern Nest registers app-wide middleware under (nestjs-pino's): a
 * request whose last matched route is this one reached no controller.
 */
const MIDDLEWARE_ROUTE = '/{*path}';

/**
 * Times every HTTP request into `http_request_duration_seconds`, labelled
 * with the route's pattern as Express matched it (`/downloads/:token`), known
 * only once the request was routed; a request no route took is "unmatched".
 */
export function httpDurationMiddleware(metrics: ExportMetrics): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    let recorded = false;
    // 'close' alone ends a download the client abandoned; 'finish' comes first otherwise.
    const record = () => {
      if (recorded) return;
      recorded = true;
      const route = (request.route as { path?: unknown } | undefined)?.path;
      metrics.httpRequestFinished(
        request.method,
        typeof route === 'string' && route !== MIDDLEWARE_ROUTE ? `${request.baseUrl}${route}` : null,
        response.statusCode,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  };
}
