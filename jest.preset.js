// Shared jest settings: every package compiles its TypeScript tests with swc
// (with decorator metadata, which NestJS needs) and runs all three tiers.
const path = require('node:path');

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
  },
  testTimeout: 60_000,
  setupFiles: [path.join(__dirname, 'scripts', 'jest-sqlite-error-realm.js')],
  reporters: ['default', [path.join(__dirname, 'scripts', 'jest-results-reporter.js'), {}]],
};
