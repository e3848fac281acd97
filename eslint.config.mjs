// Lint: typescript-eslint plus the import-direction rules of the architecture (see README).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const zone = (target, from, message) => ({ target, from, message });

export default tseslint.config(
  { ignores: ['lib/**', 'node_modules/**', 'coverage/**', '**/cdktf.out/**', '**/.gen/**', 'examples/**/*.js', 'examples/**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Import direction: core imports nothing of ours; auth/sandbox/framework/constructs sit on core only;
  // the wire layer never reaches vendors; framework never sees gRPC; constructs stay light (no auth,
  // provider, sandbox or client code); emulators never share the client's idea of the API.
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../core', '!../core/*'], message: 'core imports nothing else in src/.' }] }] },
  },
  {
    files: ['src/auth/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../provider/*', '../vendors/*', '../constructs/*', '../sandbox/*', '../auth/*', '../bin/*'], message: 'auth and sandbox depend on core only.' }] }],
    },
  },
  {
    files: ['src/provider/framework/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../protocol/*', '@grpc/*', '../../vendors/*', '../../auth/*', '../../sandbox/*'], message: 'framework knows nothing about gRPC, vendors, auth or the sandbox.' }] }],
    },
  },
  {
    files: ['src/provider/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../vendors/*', '../../auth/*', '../../sandbox/*', '../../constructs/*'], message: 'the wire layer reaches handlers only through the framework.' }] }],
    },
  },
  {
    files: ['src/constructs/**/*.ts', 'src/vendors/*/constructs/**/*.ts', 'src/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/auth', '**/auth/*', '**/provider/*', '**/sandbox', '**/sandbox/*', '**/client', '**/handlers/*', '**/emulator/*', '**/registry', 'undici', '@grpc/*', 'oauth4webapi'], message: 'constructs run in the user\'s synth: cdktf, constructs and src/constructs only.' },
      ] }],
    },
  },
  {
    files: ['src/vendors/*/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['../client', '../types', '../handlers/*', '../constructs/*', '../../../auth/*', '../../../provider/*', '../../*/*'], message: 'an emulator uses the sandbox core only (never its vendor client\'s idea of the API).' },
      ] }],
    },
  },
  {
    files: ['src/vendors/*/client.ts', 'src/vendors/*/types.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['undici', '../../provider/*', '../../sandbox/*', './emulator/*', './handlers/*', '../*/*', '!../../auth', '!../../auth/*', '!../../core/*'], message: 'vendor clients reach the network through src/auth only.' },
      ] }],
    },
  },
);
