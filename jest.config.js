/** Jest: TypeScript through ts-jest (transpile only; `npm run typecheck` type-checks). */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/__tests__/**/*.test.ts'],
  // The real agent CLIs (~1.2 GB) run only through `npm run test:agents` (jest.agents.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/agents/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 20000,
};
