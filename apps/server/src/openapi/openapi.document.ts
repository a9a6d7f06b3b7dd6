import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The security scheme of /metrics: its own token, not an API token. */
export const METRICS_SECURITY = 'metricsToken';

/** The tags of the document, in the order Swagger UI shows them. */
const TAGS: Array<[string, string]> = [
  ['exports', 'Queue exports emailed to a manager, and read their history.'],
  ['customers', 'Customers, their managers, and workbook downloads.'],
  ['schedules', 'Exports sent on a cron: create, preview, pause, run now.'],
  ['audit', 'Who asked for what (staff tokens only).'],
  ['downloads', 'Workbooks behind the links of emails too big to attach.'],
  ['health', 'Liveness and readiness of this instance.'],
  ['metrics', 'Prometheus metrics.'],
  ['unsubscribe', 'The one-click unsubscribe links of scheduled emails (pages for a person, no token).'],
];

/** Sent with every answer a token's request gets once it is authenticated. */
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': 'Requests this token may make in the current minute.',
  'X-RateLimit-Remaining': 'Requests this token has left in the current minute.',
  'X-RateLimit-Reset': 'Seconds until the current minute ends and the count starts again.',
};

/**
 * The OpenAPI document of the app, as `/docs` serves it and as the build
 * writes it to openapi.json for the console's generated client.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Spotlight exports')
    // Markdown: in backticks, so Swagger UI does not swallow <token> as an HTML tag.
    .setDescription(
      'User activity exports: queue, download, schedule. Authenticate with `Authorization: Bearer <token>`, a token from `spotlight token create`. Errors are JSON `{statusCode, error, message}`; request bodies are JSON of at most 100 KiB.',
    )
    .setVersion('0.1.0')
    .addServer('/', 'The server that serves this document.')
    // Not addBearerAuth(): it declares bearerFormat JWT, and these tokens are opaque.
    .addSecurity('bearer', {
      type: 'http',
      scheme: 'bearer',
      description: 'An opaque API token (spx_...) from `spotlight token create`; only its SHA-256 is stored.',
    })
    .addSecurity(METRICS_SECURITY, {
      type: 'http',
      scheme: 'bearer',
      description: 'SPOTLIGHT_METRICS_TOKEN, when the server sets one; /metrics needs no token otherwise.',
    });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const config = builder.build();
  // As package.json says: not licensed for use outside Spotlight.
  config.info.license = { name: 'UNLICENSED' };
  const document = SwaggerModule.createDocument(app, config);
  for (const methods of Object.values(document.paths)) {
    for (const operation of Object.values(methods) as Array<OpenAPIObject['paths'][string]['get']>) {
      if (!operation) continue;
      // Nest drops an empty security list: a route without @ApiBearerAuth is a @Public() one.
      operation.security ??= [];
      const throttled = operation.security.some((requirement) => 'bearer' in requirement);
      if (!throttled) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('2') || !response || !('description' in response)) continue;
        response.headers = {
          ...response.headers,
          ...Object.fromEntries(
            Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
          ),
        };
      }
    }
  }
  document.components = {
    ...document.components,
    headers: Object.fromEntries(
      Object.entries(RATE_LIMIT_HEADERS).map(([name, description]) => [
        name,
        { description, schema: { type: 'integer' } },
      ]),
    ),
  };
  return document;
}
