import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { firstLine } from '@spotlight/core';
import { OPENAPI_FILE, writeOpenApi } from './write-openapi';

/**
 * Fails when the committed openapi.json is not what this code generates: the
 * console's client is generated from that file, so a stale one would let it
 * call an API that is not there.
 */
async function check(): Promise<boolean> {
  const fresh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-openapi-check-')), 'openapi.json');
  try {
    await writeOpenApi(fresh);
    const committed = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : '';
    return committed === fs.readFileSync(fresh, 'utf8');
  } finally {
    fs.rmSync(path.dirname(fresh), { recursive: true, force: true });
  }
}

check().then(
  (fresh) => {
    if (fresh) return;
    process.stderr.write('openapi.json is stale: run npx pnpm@10.34.9 build\n');
    process.exitCode = 1;
  },
  (error: unknown) => {
    process.stderr.write(
      `check-openapi: ${firstLine(error instanceof Error ? error.message : String(error))}\n`,
    );
    process.exitCode = 1;
  },
);
