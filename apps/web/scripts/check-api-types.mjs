// Fails when src/api/schema.d.ts is not what openapi-typescript makes of the
// server's committed OpenAPI document: the console's client types must follow the API.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const web = path.resolve(import.meta.dirname, '..');
const document = path.resolve(web, '..', 'server', 'openapi.json');
const committed = path.join(web, 'src', 'api', 'schema.d.ts');

if (!fs.existsSync(document)) {
  console.error(`${path.relative(process.cwd(), document)} is missing: run npx pnpm@10.34.9 build`);
  process.exit(1);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-api-types-'));
try {
  const fresh = path.join(dir, 'schema.d.ts');
  execFileSync(
    path.join(web, 'node_modules', '.bin', 'openapi-typescript'),
    [document, '--default-non-nullable', 'false', '-o', fresh],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (!fs.existsSync(committed) || fs.readFileSync(fresh, 'utf8') !== fs.readFileSync(committed, 'utf8')) {
    console.error(
      'apps/web/src/api/schema.d.ts is stale: run npx pnpm@10.34.9 --filter @spotlight/web generate:api and commit it',
    );
    process.exit(1);
  }
  console.log('apps/web/src/api/schema.d.ts matches apps/server/openapi.json');
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
