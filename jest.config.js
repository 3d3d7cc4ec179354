/** Jest: TypeScript through ts-jest (transpile only; `npm run typecheck` type-checks); Express 5, and Express 4 when installed. */
const { existsSync } = require('node:fs');
const path = require('node:path');

// Express 4 lives in its own prefix (`.ci/express4-install`): the shared node_modules keeps Express 5.
const EXPRESS4 = path.join(__dirname, '.ci', 'express4', 'node_modules', 'express');

// Suites that add nothing under Express 4: they run the package in a child process (on the Express 5 of
// node_modules) or drive a browser against pages the Express 5 run already checks.
const EXPRESS4_SKIPS = [
  '<rootDir>/__tests__/integration/example-app',
  '<rootDir>/__tests__/integration/default-logger.test.ts',
  '<rootDir>/__tests__/integration/dashboard-browser.test.ts',
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

const express5 = {
  ...common,
  displayName: 'express5',
  globals: { EXPRESS_MAJOR: 5 },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // The real agent CLIs (~1.2 GB) run only through `npm run test:agents` (jest.agents.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/agents/'],
};

// The integration suite again, with every `require('express')` (the bridge's, the dashboard's, the tests') on Express 4.
const express4 = {
  ...common,
  displayName: 'express4',
  globals: { EXPRESS_MAJOR: 4 },
  testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...EXPRESS4_SKIPS],
  moduleNameMapper: { '^express$': EXPRESS4 },
};

function projects() {
  if (existsSync(path.join(EXPRESS4, 'package.json')) || process.env.CI === 'true') return [express5, express4];
  process.stderr.write('express4: integration suites under Express 4 skipped: not installed (run .ci/express4-install)\n');
  return [express5];
}

// testTimeout is a global option: inside a project it would be ignored.
module.exports = { projects: projects(), testTimeout: 20000 };
