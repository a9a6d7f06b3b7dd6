// Writes .env.example from the settings schemas (run through `pnpm env:example`, which builds first).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { envExample } = require(path.join(root, 'apps/server/dist/config/env-example.js'));
const target = path.join(root, '.env.example');
fs.writeFileSync(target, envExample());
console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
