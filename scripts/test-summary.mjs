// Totals the tests of every package and fails when a database leg that
// SPOTLIGHT_TEST_DATABASES enabled ran no test. Prints one closing line:
// "tests: N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '..', '.test-results');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
let passed = 0;
let failed = 0;
let skipped = 0;
const legs = {};
const timings = [];
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  failed += report.failedFiles.length;
  timings.push(...(report.files ?? []));
  for (const test of report.tests) {
    if (test.status === 'passed') passed += 1;
    else if (test.status === 'failed') failed += 1;
    else skipped += 1;
    const leg = /\[(sqlite|mariadb)\]/.exec(test.name)?.[1];
    if (leg && test.status === 'passed') legs[leg] = (legs[leg] ?? 0) + 1;
  }
}
const enabled = (process.env.SPOTLIGHT_TEST_DATABASES ?? 'sqlite').split(',').map((s) => s.trim());
const wanted = enabled.includes('all') ? ['sqlite', 'mariadb'] : enabled;
for (const leg of wanted) {
  console.log(`database leg ${leg}: ${legs[leg] ?? 0} tests passed`);
  if (!legs[leg]) {
    console.error(`The ${leg} leg was enabled but ran no passing test.`);
    failed += 1;
  }
}
const slowest = timings.sort((a, b) => b.seconds - a.seconds).slice(0, 10);
if (slowest.length > 0) {
  console.log('slowest test files:');
  for (const { file, seconds } of slowest) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${file}`);
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
