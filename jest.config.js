/** Jest runs the TypeScript sources through ts-jest; `npm test` type-checks them first with tsc. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  // Two cores: one worker keeps the slower CDK synth tests from starving the network tests.
  maxWorkers: 2,
};
