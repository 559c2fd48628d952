// Lint that keeps the layers (docs/architecture.md, "Layers"): core imports no adapter, Lambda glue,
// AWS SDK or Node built-in; no function folder imports another; no import cycles. typescript-eslint's
// recommended rules everywhere, and the type-checked ones that catch lost promises where they pay.
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const NODE_BUILTINS = ['node:*', 'crypto', 'fs', 'path', 'os', 'http', 'https', 'url', 'stream', 'events', 'buffer', 'util', 'zlib', 'child_process', 'async_hooks', 'net'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'web/dist/**', 'client/api-types.ts', 'test/artifacts/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })], 'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] } },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['functions/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['functions/shared/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/**', '**/lambda/**', '../config', '../../config'], message: 'core is pure: adapters, Lambda glue and config come in as ports' },
            { group: ['@aws-sdk/*', 'aws-lambda', '@middy/*', '@aws-lambda-powertools/*'], message: 'core imports no AWS SDK or Lambda library' },
            { group: NODE_BUILTINS, message: 'core imports no Node built-in: clock and crypto come in as ports' },
          ],
        },
      ],
    },
  },
  {
    files: ['functions/*/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!shared/|\\.\\./)[^/]+/', message: 'a function folder imports only its own files and functions/shared' }] }],
    },
  },
);
