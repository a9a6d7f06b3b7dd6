// One lint configuration for every package. Type-aware, so that a promise
// nobody awaits (a lost error, an email sent after the process moved on) fails.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs'] },
  // Plain Node scripts are linted too, without types: no tsconfig covers them.
  { ignores: ['!scripts/**', '!apps/cli/bin/**', '!apps/cli/scripts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // One owner per rule: how an address or a domain compares is said in
    // packages/core/src/input/address.rules.ts only; everything else imports it.
    files: ['**/*.ts'],
    ignores: ['packages/core/src/input/address.rules.ts', '**/*spec.ts', '**/__fixtures__/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='toLowerCase'] > MemberExpression > CallExpression[callee.property.name='trim']",
          message:
            'Trimming and lower-casing is the address and domain rule: use normaliseDomain, normaliseEmail or sameAddress from input/address.rules.',
        },
      ],
    },
  },
  {
    // Dependencies point one way: the database layer may use the errors, never the other way round.
    files: ['packages/core/src/errors.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['./db', './db/*'], message: 'errors.ts does not import from db/.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node, sourceType: 'module' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
