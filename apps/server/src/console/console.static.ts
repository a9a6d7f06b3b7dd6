import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Where `vite build` of apps/web writes the console, relative to this file in apps/server/dist/console. */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '..', '..', '..', 'web', 'dist');

/**
 * The console's pages: the app at `/`, its routes under `/console/`. API
 * paths (`/customers`, `/exports`, ...) stay the API's, so a browser and a
 * script never get each other's answer from the same URL.
 */
export const CONSOLE_ROUTES = /^\/(?:console(?:\/.*)?)?$/;

/**
 * helmet's headers on every response, the API's too. The policy allows no
 * inline script anywhere: the console is one bundled file, and Swagger UI at
 * /docs loads its own scripts from the server. Styles may be inline because
 * Swagger UI and the previewed email set them.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // The server is often reached over plain HTTP inside a network: upgrading would break it.
        upgradeInsecureRequests: null,
      },
    },
  });
}

/**
 * Serves the built console from `dir`: hashed assets for a year, the page
 * itself never cached (so a deploy is seen at once). Without a build, `/`
 * answers one line saying how to build it.
 */
export function serveConsole(app: NestExpressApplication, dir: string): void {
  const index = path.join(dir, 'index.html');
  app.useStaticAssets(path.join(dir, 'assets'), {
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: true,
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !CONSOLE_ROUTES.test(req.path)) return next();
    if (!fs.existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The console is not built: run "npx pnpm@10.34.9 build", then restart the server.\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
