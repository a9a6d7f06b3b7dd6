import fs from 'node:fs';
fs.rmSync(new URL('../.test-results', import.meta.url), { recursive: true, force: true });
