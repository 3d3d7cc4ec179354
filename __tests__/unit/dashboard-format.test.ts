/** The dashboard page's cost formatting, run as the browser runs it (the page script's text, in a VM): plain decimals, never 1.5e-7. */
import vm from 'node:vm';
import { CLIENT_CORE } from '../../lib/dashboard/assets/client-core';
import { CLIENT_RENDER } from '../../lib/dashboard/assets/client-render';

/** The functions CLIENT_CORE defines, evaluated with the little of `document` it reads at load. */
function pageFunctions(): Record<string, (...args: unknown[]) => unknown> {
  const context = vm.createContext({ URL, document: { currentScript: { src: 'http://127.0.0.1/admin/ai/assets/dashboard.js' } } });
  vm.runInContext(CLIENT_CORE, context);
  return context as unknown as Record<string, (...args: unknown[]) => unknown>;
}

test('costs in cells and cards: tiny values as plain decimals with two significant digits', () => {
  const { usd } = pageFunctions();
  expect([1.5e-7, 2.345e-9, 0.0001848, 0.004, 0.0123, 1.5, 0].map((v) => usd(v)))
    .toEqual(['$0.00000015', '$0.0000000023', '$0.00018', '$0.0040', '$0.012', '$1.50', '$0.00']);
});

test('cost axis ticks: plain decimals without float noise, whatever step Chart.js picks', () => {
  const { costAxisTick } = pageFunctions();
  expect(typeof costAxisTick).toBe('function');
  expect([0, 5e-8, 1.5000000000000002e-7, 2.5e-7, 0.0001, 0.00025, 0.3, 1, 12.5, 1500].map((v) => costAxisTick(v)))
    .toEqual(['0', '0.00000005', '0.00000015', '0.00000025', '0.0001', '0.00025', '0.3', '1', '12.5', '1500']);
});

test('the chart formats its cost axis with costAxisTick', () => {
  expect(CLIENT_RENDER).toMatch(/cost: \{[^\n]*ticks: \{ callback: costAxisTick \}/);
});
