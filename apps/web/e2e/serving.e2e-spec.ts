import { describeEachDatabase } from '@spotlight/core/testing';
import { startConsoleServer, type ConsoleServer } from './console.fixture';

/** How the server serves the console beside the API: headers, fallbacks, caching. */
describeEachDatabase('the console served by the server', (db) => {
  let console_: ConsoleServer;
  let url: string;

  beforeAll(async () => {
    console_ = await startConsoleServer(db);
    url = console_.server.url;
  });
  afterAll(async () => {
    await console_?.stop();
  });

  it('serves the app at / and its routes, not cached, with a CSP that allows no inline script', async () => {
    for (const path of ['/', '/console/customers', '/console/exports/12']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toContain("unsafe-inline' ;script");
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await res.text();
      // Only external scripts: the CSP would block an inline one.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it('caches hashed assets for a year', async () => {
    const html = await (await fetch(`${url}/`)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const res = await fetch(`${url}${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it("puts helmet's headers on API answers too, and unknown API paths still get the JSON 404", async () => {
    for (const path of ['/health', '/exports', '/no-such-endpoint', '/assets/missing.js']) {
      const res = await fetch(`${url}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    const missing = await fetch(`${url}/no-such-endpoint`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ statusCode: 404 });
    const unauthenticated = await fetch(`${url}/exports`, { headers: { Accept: 'text/html' } });
    expect(unauthenticated.status).toBe(401);
  });

  it('answers no CORS preflight', async () => {
    const res = await fetch(`${url}/exports`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
