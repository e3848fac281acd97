/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/test/**/[^_]*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', diagnostics: false }],
  },
  // oauth4webapi, openid-client and jose ship ES modules only; let ts-jest turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(oauth4webapi|openid-client|jose)/)'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  collectCoverageFrom: ['src/**/*.ts', '!src/bin/**'],
  coverageReporters: ['text-summary'],
  // The floor CI holds (measured 91% statements / 81% branches / 93% functions / 95% lines).
  coverageThreshold: { global: { statements: 88, branches: 77, functions: 90, lines: 92 } },
};
