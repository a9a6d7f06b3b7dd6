import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { firstLine } from '@spotlight/core';
import { createApp } from '../app.factory';
import { loadServerSettings } from '../config/server.settings';
import { buildOpenApiDocument } from './openapi.document';

/** Where the build writes the document: beside package.json, committed. */
export const OPENAPI_FILE = path.resolve(__dirname, '..', '..', 'openapi.json');

/**
 * Writes the app's OpenAPI document to `file`: the app is built on an
 * in-memory SQLite database it never opens, in a folder of its own, and
 * never listens.
 */
export async function writeOpenApi(file: string): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spotlight-openapi-'));
  try {
    const settings = loadServerSettings({
      DATABASE_URL: 'sqlite::memory:',
      SPOTLIGHT_DATA_DIR: dataDir,
      SPOTLIGHT_SCRATCH_DIR: path.join(dataDir, 'scratch'),
      SPOTLIGHT_BACKGROUND: 'off',
    });
    const app = await createApp(settings, { logger: false });
    try {
      const document = buildOpenApiDocument(app);
      fs.writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  writeOpenApi(process.argv[2] ? path.resolve(process.argv[2]) : OPENAPI_FILE).catch((error: unknown) => {
    process.stderr.write(
      `write-openapi: ${firstLine(error instanceof Error ? error.message : String(error))}\n`,
    );
    process.exit(1);
  });
}
