// Shared jest settings: every package compiles its TypeScript tests with swc
// (with decorator metadata, which NestJS needs) and runs all three tiers.
const path = require('node:path');

// NestJS 12 ships ES modules only. Node 20.19+ require()s them, but jest runs
// its own module loader (require(esm) only from Node 24.9): its JavaScript is
// compiled to CommonJS here, and only its, so the rest of node_modules stays untransformed.
const ESM_ONLY = ['@nestjs'];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // pnpm's store is node_modules/.pnpm/<name>@<version>/node_modules/<name>: a path is left
  // untransformed when a node_modules/ in it is followed by anything but .pnpm/ or ESM_ONLY.
  transformIgnorePatterns: [`/node_modules/(?!\\.pnpm/|(${ESM_ONLY.join('|')})/)`],
  testTimeout: 60_000,
  setupFiles: [path.join(__dirname, 'scripts', 'jest-sqlite-error-realm.js')],
  reporters: ['default', [path.join(__dirname, 'scripts', 'jest-results-reporter.js'), {}]],
};
