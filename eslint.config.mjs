// Lint: typescript-eslint plus the import-direction rules of the architecture (see README).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jsdoc from 'eslint-plugin-jsdoc';

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
  // Constructs are the public API: every exported class, props interface and prop has JSDoc.
  {
    files: ['src/constructs/**/*.ts', 'src/vendors/*/constructs/**/*.ts'],
    plugins: { jsdoc },
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: true,
          require: { ClassDeclaration: true, FunctionDeclaration: true },
          contexts: ['TSInterfaceDeclaration', 'TSPropertySignature'],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Import direction (see README "Architecture"): core imports nothing of ours; auth, sandbox,
  // framework and constructs sit on core only; the wire layer never reaches vendors; framework never
  // sees gRPC; constructs stay light; emulators never share their client's idea of the API; no
  // vendor imports another. Patterns are regular expressions over the import specifier.
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!core(/|$))', message: 'core imports nothing else in src/.' }] }] },
  },
  // The spec is shared by the provider and the constructs: plain data and pure functions on core.
  {
    files: ['src/spec/**/*.ts', 'src/vendors/*/spec/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(\\.\\./)+(auth|provider|sandbox|constructs|bin|client|types|handlers|emulator)(\\.ts)?(/|$)|^(undici|cdktf|constructs|@grpc/|oauth4webapi)$',
              message: 'a spec imports src/spec and src/core only (no auth, wire, sandbox, client or cdktf code).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/auth/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./(provider|vendors|constructs|sandbox|auth|bin)(/|$)', message: 'auth and sandbox depend on core only.' }] },
      ],
    },
  },
  {
    files: ['src/provider/framework/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./protocol(/|$)|@grpc/|\\.\\./\\.\\./(vendors|auth|sandbox|constructs)(/|$))',
              message: 'framework knows nothing about gRPC, vendors, auth or the sandbox.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/provider/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./\\.\\./(vendors|auth|sandbox|constructs)(/|$)', message: 'the wire layer reaches handlers only through the framework.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/constructs/**/*.ts', 'src/vendors/*/constructs/**/*.ts', 'src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\.?/)+(auth|provider|sandbox|bin)(/|$)|(^|/)(emulator|handlers)(/|$)|(^|/)(registry|client)$|^(undici|@grpc/|oauth4webapi)',
              message: "constructs run in the user's synth: cdktf, constructs and src/constructs only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/vendors/*/emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(client|types|handlers|constructs|provider)(\\.ts)?(/|$)',
              message: "an emulator never shares its vendor client's idea of the API.",
            },
            { regex: '^\\.\\./\\.\\./(?!\\.\\.)', message: 'no vendor imports another.' },
            { regex: '^\\.\\./\\.\\./\\.\\./(auth|provider|constructs|vendors)(/|$)|^undici$', message: 'an emulator uses the sandbox core and core only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/vendors/*/client.ts', 'src/vendors/*/types.ts', 'src/vendors/*/responses.ts', 'src/vendors/*/auth-params.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^undici$', message: 'vendor clients reach the network through src/auth only.' },
            {
              regex: '^\\.\\./\\.\\./(provider|sandbox|constructs)(/|$)|^\\./(emulator|handlers|constructs)(/|$)',
              message: 'a client depends on src/auth and src/core only.',
            },
            { regex: '^\\.\\./(?!\\.\\.)', message: 'no vendor imports another.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/vendors/*/handlers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^undici$|^\\.\\./\\.\\./\\.\\./(sandbox|auth|constructs)(/|$)|^\\.\\./\\.\\./\\.\\./provider/protocol(/|$)|^\\.\\./(emulator|constructs)(/|$)',
              message: 'handlers use their client and provider/framework only.',
            },
            { regex: '^\\.\\./\\.\\./(?!\\.\\.)', message: 'no vendor imports another.' },
          ],
        },
      ],
    },
  },
);
