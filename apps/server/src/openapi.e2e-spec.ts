import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@spotlight/core/testing';
import { startTestApp, type TestApp } from './__fixtures__/test-app';

interface Operation {
  security?: unknown[];
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, unknown>;
      content?: Record<string, { schema: { $ref?: string; type?: string; format?: string } }>;
    }
  >;
}

// Every answer an operation can give, as the API sends it. Documented here so
// a client generated from /docs-json handles the same cases.
const EXPECTED: Record<string, string[]> = {
  'post /exports': ['202', '400', '401', '404', '413', '422', '429', '503'],
  'post /exports/{id}/resend': ['202', '400', '401', '404', '409', '422', '429', '503'],
  'get /exports': ['200', '400', '401', '429', '503'],
  'get /exports/{id}': ['200', '400', '401', '404', '429', '503'],
  'get /customers': ['200', '400', '401', '429', '503'],
  'get /customers/{domain}': ['200', '400', '401', '404', '429', '503'],
  'get /customers/{domain}/managers': ['200', '400', '401', '404', '429', '503'],
  'get /customers/{domain}/user-activity.xlsx': ['200', '400', '401', '404', '429', '503'],
  'post /schedules': ['200', '201', '400', '401', '404', '413', '422', '429', '503'],
  'get /schedules': ['200', '400', '401', '429', '503'],
  'post /schedules/preview': ['200', '400', '401', '413', '429', '503'],
  'post /schedules/{id}/run': ['202', '400', '401', '404', '422', '429', '503'],
  'get /schedules/{id}/email-preview': ['200', '400', '401', '404', '422', '429', '503'],
  'get /schedules/{id}': ['200', '400', '401', '404', '429', '503'],
  'patch /schedules/{id}': ['200', '400', '401', '404', '409', '413', '422', '429', '503'],
  'delete /schedules/{id}': ['204', '400', '401', '404', '429', '503'],
  'get /downloads/{token}': ['200', '404', '410', '503'],
  'get /health': ['200', '503'],
  'get /health/live': ['200'],
  'get /health/ready': ['200', '503'],
  'get /metrics': ['200', '401'],
  'get /audit': ['200', '400', '401', '403', '429', '503'],
};

describe('OpenAPI document', () => {
  let db: TestDatabase;
  let t: TestApp;
  let docs: {
    info: { description: string };
    components: {
      securitySchemes: Record<string, Record<string, unknown>>;
      schemas: Record<string, unknown>;
    };
    paths: Record<string, Record<string, Operation>>;
  };

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    t = await startTestApp(db, null);
    docs = (await request(t.http).get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const operations = () =>
    Object.entries(docs.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => [`${method} ${path}`, operation] as const),
    );

  it('describes the bearer scheme as an opaque token, and keeps "Authorization: Bearer <token>" readable', () => {
    expect(docs.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', description: expect.stringContaining('opaque') },
    });
    // Swagger UI renders descriptions as Markdown: a bare <token> would vanish as an HTML tag.
    expect(docs.info.description).toContain('`Authorization: Bearer <token>`');
  });

  it('lists every answer of every operation, with a schema for each body', () => {
    expect(
      Object.fromEntries(operations().map(([name, op]) => [name, Object.keys(op.responses).sort()])),
    ).toEqual(EXPECTED);
    for (const [name, operation] of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const where = `${name} ${status}`;
        expect({ where, description: response.description }).toEqual({
          where,
          description: expect.any(String),
        });
        if (status === '204') continue;
        const schemas = Object.values(response.content ?? {}).map((content) => content.schema);
        expect({ where, hasSchema: schemas.length > 0 }).toEqual({ where, hasSchema: true });
        // Health answers 503 with its own body, which says what is not ready.
        if (Number(status) >= 400 && !name.startsWith('get /health'))
          expect({ where, schema: schemas[0].$ref }).toEqual({
            where,
            schema: '#/components/schemas/ErrorBody',
          });
        if (status === '429')
          expect({ where, headers: Object.keys(response.headers ?? {}) }).toEqual({
            where,
            headers: ['Retry-After'],
          });
      }
    }
  });

  it('names the bodies: response classes for the JSON answers, binary for workbooks', () => {
    const ok = (name: string, status = '200') =>
      docs.paths[name.split(' ')[1]][name.split(' ')[0]].responses[status];
    expect(ok('post /exports', '202').content!['application/json'].schema.$ref).toBe(
      '#/components/schemas/QueuedExport',
    );
    expect(ok('get /exports/{id}').content!['application/json'].schema.$ref).toBe(
      '#/components/schemas/ExportRunView',
    );
    expect(ok('get /schedules/{id}').content!['application/json'].schema.$ref).toBe(
      '#/components/schemas/ScheduleView',
    );
    for (const status of ['200', '201'])
      expect(ok('post /schedules', status).content!['application/json'].schema.$ref).toBe(
        '#/components/schemas/CreatedSchedule',
      );
    expect(ok('get /customers/{domain}/user-activity.xlsx').content).toEqual({
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
        schema: { type: 'string', format: 'binary' },
      },
    });
    expect(docs.components.schemas).toHaveProperty('ErrorBody');
    expect(ok('get /audit').content!['application/json'].schema.$ref).toBe(
      '#/components/schemas/AuditPageView',
    );
  });
});
