import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '@spotlight/core/testing';
import { bearer, createToken, startTestApp, type TestApp } from './__fixtures__/test-app';

interface Operation {
  security?: Array<Record<string, string[]>>;
  tags?: string[];
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
  'get /exports/{id}/workbook.xlsx': ['200', '400', '401', '404', '410', '429', '503'],
  'get /customers': ['200', '400', '401', '429', '503'],
  'get /customers/{domain}': ['200', '400', '401', '404', '429', '503'],
  'get /customers/{domain}/managers': ['200', '400', '401', '404', '429', '503'],
  'get /customers/{domain}/user-activity.xlsx': ['200', '400', '401', '404', '429', '503'],
  'post /schedules': ['200', '201', '400', '401', '404', '413', '422', '429', '503'],
  'get /schedules': ['200', '400', '401', '429', '503'],
  'post /schedules/preview': ['200', '400', '401', '413', '429', '503'],
  'post /schedules/{id}/run': ['202', '400', '401', '404', '422', '429', '503'],
  'get /schedules/{id}/email-preview': ['200', '400', '401', '404', '422', '429', '500', '503'],
  'get /schedules/{id}': ['200', '400', '401', '404', '429', '503'],
  'patch /schedules/{id}': ['200', '400', '401', '404', '409', '413', '422', '429', '503'],
  'delete /schedules/{id}': ['204', '400', '401', '404', '429', '503'],
  'get /downloads/{token}': ['200', '404', '410', '503'],
  'get /unsubscribe/{token}': ['200', '404', '429', '503'],
  'post /unsubscribe/{token}': ['200', '400', '404', '413', '429', '503'],
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
    info: { description: string; license?: { name: string } };
    servers: Array<{ url: string }>;
    tags: Array<{ name: string; description: string }>;
    components: {
      headers: Record<string, unknown>;
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
      metricsToken: {
        type: 'http',
        scheme: 'bearer',
        description: expect.stringContaining('SPOTLIGHT_METRICS_TOKEN'),
      },
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
        // Health answers 503 with its own body, which says what is not ready;
        // the unsubscribe pages answer the recipient's browser in HTML.
        const html = name.includes(' /unsubscribe/') && status !== '503';
        if (Number(status) >= 400 && !name.startsWith('get /health') && !html)
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
    for (const name of ['get /unsubscribe/{token}', 'post /unsubscribe/{token}']) {
      const [method, path] = name.split(' ');
      // Public: the signed link is the credential, not a bearer token.
      expect(docs.paths[path][method].security).toEqual([]);
      for (const status of ['200', '404'])
        expect(Object.keys(ok(name, status).content!)).toEqual(['text/html']);
    }
    expect(ok('get /audit').content!['application/json'].schema.$ref).toBe(
      '#/components/schemas/AuditPageView',
    );
  });
});

describe('OpenAPI document as committed and as answered', () => {
  let db: TestDatabase;
  let t: TestApp;
  let staff: string;
  let served: {
    info: { license?: { name: string } };
    servers: Array<{ url: string }>;
    tags: Array<{ name: string; description: string }>;
    paths: Record<string, Record<string, Operation>>;
  };
  const operations = () =>
    Object.entries(served.paths).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ method, route, operation })),
    );
  /** The route with its parameters filled in: ids, a domain and a link token nobody has. */
  const concrete = (route: string) =>
    route.replace('{id}', '999999').replace('{domain}', 'example.com').replace('{token}', 'no-such-link');

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    t = await startTestApp(db, null);
    staff = await createToken(db, { staff: true });
    served = (await request(t.http).get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('is committed as apps/server/openapi.json, as the server serves it', () => {
    const committed: unknown = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', 'openapi.json'), 'utf8'),
    );
    // Stale: `npx pnpm@10.34.9 build` writes it again.
    expect(committed).toEqual(served);
  });

  it('names its server, its license and every tag an operation uses', () => {
    expect(served.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(served.info.license?.name).toBe('UNLICENSED');
    const declared = served.tags.map((tag) => tag.name);
    const used = operations().map(({ method, route, operation }) => ({
      where: `${method} ${route}`,
      tags: operation.tags,
    }));
    expect(used).toEqual(used.map(({ where }) => ({ where, tags: [expect.any(String)] })));
    expect(declared).toEqual(expect.arrayContaining([...new Set(used.flatMap(({ tags }) => tags ?? []))]));
  });

  it('declares the security of every operation, as the server applies it', async () => {
    for (const { method, route, operation } of operations()) {
      const where = `${method} ${route}`;
      const res = await request(t.http)[method as 'get' | 'post' | 'patch' | 'delete'](concrete(route));
      const security = operation.security;
      if (security?.some((requirement) => 'bearer' in requirement)) {
        expect({ where, security }).toEqual({ where, security: [{ bearer: [] }] });
        expect({ where, status: res.status }).toEqual({ where, status: 401 });
      } else {
        // Public: no token at all ([]), or /metrics' own optional one ([{}] beside it).
        expect({ where, status: res.status === 401 }).toEqual({ where, status: false });
        expect({ where, security }).toEqual({
          where,
          security: route === '/metrics' ? [{ metricsToken: [] }, {}] : [],
        });
      }
    }
  });

  it('documents error bodies as they are sent: JSON, even where the answer is a workbook; a page for the unsubscribe links a person opens', async () => {
    for (const { method, route, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const where = `${method} ${route} ${status}`;
        expect({ where, types: Object.keys(response.content ?? {}) }).toEqual({
          where,
          // The unsubscribe pages answer a person with a page; a database outage (503) is the API's JSON everywhere.
          types: route.startsWith('/unsubscribe/') && status !== '503' ? ['text/html'] : ['application/json'],
        });
      }
    }
    const xlsx = await request(t.http)
      .get('/customers/nowhere.example.com/user-activity.xlsx')
      .set(bearer(staff))
      .expect(404);
    expect(xlsx.headers['content-type']).toMatch(/^application\/json/);
    const link = await request(t.http).get('/downloads/no-such-link').expect(404);
    expect(link.headers['content-type']).toMatch(/^application\/json/);
    const preview = await request(t.http)
      .get('/schedules/999999/email-preview')
      .set(bearer(staff))
      .expect(404);
    expect(preview.headers['content-type']).toMatch(/^application\/json/);
    const unsubscribe = await request(t.http).get('/unsubscribe/not-a-link').expect(404);
    expect(unsubscribe.headers['content-type']).toMatch(/^text\/html/);
  });

  it("documents the 202's Location and the rate limit headers a token's answers carry", async () => {
    for (const { method, route, operation } of operations()) {
      const where = `${method} ${route}`;
      const bearerAuth = operation.security?.some((requirement) => 'bearer' in requirement) ?? false;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('2')) continue;
        const headers = Object.keys(response.headers ?? {});
        expect({ where, status, headers }).toEqual({
          where,
          status,
          headers: [
            ...(status === '202' ? ['Location'] : []),
            // What a run would do with the workbook (schedule-console.e2e-spec checks the answers carry them).
            ...(where === 'get /schedules/{id}/email-preview'
              ? ['Spotlight-Delivery', 'Spotlight-Delivery-Note']
              : []),
            ...(bearerAuth ? ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] : []),
          ],
        });
      }
    }
    const list = await request(t.http).get('/exports').set(bearer(staff)).expect(200);
    for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
      expect({ name, value: list.headers[name] }).toEqual({ name, value: expect.stringMatching(/^\d+$/) });
    const health = await request(t.http).get('/health/live').expect(200);
    expect(health.headers).not.toHaveProperty('x-ratelimit-limit');
  });
});
