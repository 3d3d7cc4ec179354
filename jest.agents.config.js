/** Jest for `npm run test:agents`: the real agent CLIs through the bridge (opt-in; installed by scripts/agents/install.js). */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/__tests__/agents/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Each scenario runs a real CLI (up to 90 s); the agents share 2 cores badly, so one suite at a time.
  testTimeout: 150_000,
  maxWorkers: 1,
  verbose: true,
  // Ends the run with one line per agent and scenario (or "not installed"), and what each agent tried to reach.
  reporters: ['default', '<rootDir>/scripts/agents/reporter.js'],
};
