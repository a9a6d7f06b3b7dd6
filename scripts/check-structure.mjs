// Structure checks that lint does not make: no import cycle between the
// modules of a package (type-only imports included: they tie two files
// together as much as any other), and no production file over 350 lines.
// Prints one line per problem and exits 1 when there is any.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_LINES = 350;
const SOURCES = ['apps', 'packages'].flatMap((group) =>
  fs
    .readdirSync(path.join(ROOT, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(ROOT, group, entry.name, 'src')))
    .map((entry) => path.join(ROOT, group, entry.name, 'src')),
);

/** Tests and their fixtures are not production code. */
const isTest = (file) =>
  /\.(spec|int-spec|e2e-spec)\.ts$/.test(file) || file.includes(`${path.sep}__fixtures__${path.sep}`);

function tsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

// import … from '…', export … from '…', import '…', and import('…').
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function resolve(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')])
    if (candidate.endsWith('.ts') && fs.existsSync(candidate)) return candidate;
  return null;
}

const problems = [];
const files = SOURCES.flatMap(tsFiles);
const edges = new Map();
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const targets = new Set();
  for (const match of text.matchAll(SPECIFIER)) {
    const target = resolve(file, match[1]);
    if (target) targets.add(target);
  }
  edges.set(file, [...targets]);
  if (!isTest(file)) {
    const name = path.relative(ROOT, file).split(path.sep).join('/');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_LINES)
      problems.push(`${name} has ${lines} lines, more than ${MAX_LINES}: split it by concern.`);
  }
}

// Tarjan's strongly connected components: each component of more than one file is a cycle.
let index = 0;
const state = new Map();
const stack = [];
function visit(file) {
  const node = { index, low: index, onStack: true };
  index += 1;
  state.set(file, node);
  stack.push(file);
  for (const next of edges.get(file) ?? []) {
    const seen = state.get(next);
    if (!seen) {
      visit(next);
      node.low = Math.min(node.low, state.get(next).low);
    } else if (seen.onStack) node.low = Math.min(node.low, seen.index);
  }
  if (node.low === node.index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== file);
    if (component.length > 1)
      problems.push(
        `import cycle: ${component
          .map((member) => path.relative(ROOT, member))
          .sort()
          .join(', ')}`,
      );
  }
}
for (const file of files) if (!state.has(file)) visit(file);

for (const problem of problems) console.error(problem);
if (problems.length > 0) process.exit(1);
console.log(`${files.length} files: no import cycle, no production file longer than allowed.`);
