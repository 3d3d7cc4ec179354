/** The limits of tool traffic and stream accumulation are validated at creation and named when wrong. */
import { createBridge, openaiProvider } from '../../lib';
import { BRIDGE_DEFAULTS } from '../../lib/options';
import { normalizeBridgeOptions } from '../../lib/bridge-config';

const base = { providers: [openaiProvider({ keys: ['sk-1'] })], actor: () => ({ id: 'u' }) };

test.each([
  ['maxInjectedTools', 0], ['maxInjectedTools', 1.5], ['maxToolResultBytes', -1], ['maxToolResultBytes', '1MB'], ['maxAccumulatedBytes', 0],
])('bad `%s` (%p) throws naming it', (option, value) => {
  expect(() => createBridge({ ...base, [option]: value } as never)).toThrow(new RegExp(`createBridge: option \`${option}\` must be a positive integer`));
});

test('defaults', () => {
  const config = normalizeBridgeOptions(base);
  expect([config.maxInjectedTools, config.maxToolResultBytes, config.maxAccumulatedBytes]).toEqual([64, 1024 * 1024, 16 * 1024 * 1024]);
  expect(BRIDGE_DEFAULTS).toMatchObject({ maxInjectedTools: 64, maxToolResultBytes: 1048576, maxAccumulatedBytes: 16777216 });
});
