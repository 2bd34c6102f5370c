/** Jest runs the TypeScript sources through ts-jest; `npm test` type-checks them first with tsc. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // @middy/core 6 ships only ES modules. Jest's require(esm) needs Node 24.9+ with
    // --experimental-vm-modules, so the handler's middy import is compiled to CommonJS instead.
    '/node_modules/@middy/core/.+\\.js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2023', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/core/)'],
  testTimeout: 30000,
  // Two cores: one worker keeps the slower CDK synth tests from starving the network tests.
  maxWorkers: 2,
};
