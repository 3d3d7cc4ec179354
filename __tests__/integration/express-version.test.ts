/** The jest project's Express is the one the bridge runs on (Express 5, or Express 4 in the `express4` project), and the peer range admits it. */
import express from 'express';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createBridge, openaiProvider } from '../../lib';

/** Set per jest project in jest.config.js. */
declare const EXPRESS_MAJOR: number;

const ROOT = join(__dirname, '..', '..');
const expressVersion = (): string => JSON.parse(readFileSync(join(dirname(require.resolve('express')), 'package.json'), 'utf8')).version;

test('the tests, and the bridge they load, run on the Express major version of this project', () => {
  expect(Number(expressVersion().split('.')[0])).toBe(EXPRESS_MAJOR);
  // The bridge builds its Router with the same copy of Express as the host app.
  const bridge = createBridge({ providers: [openaiProvider({ keys: ['sk-test-0001'] })], actor: () => undefined });
  expect(bridge.use === express.Router().use).toBe(true);
});

test('the peer range of package.json admits this Express major version', () => {
  const { peerDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  const majors = peerDependencies.express.split('||').map((range) => /^\s*\^(\d+)\.\d+\.\d+\s*$/.exec(range)?.[1]);
  expect(majors).toContain(String(EXPRESS_MAJOR));
});
