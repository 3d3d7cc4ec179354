/** createDashboard option validation: each bad option is named; good ones are normalised. */
import { createDashboard, MemoryRecorder } from '../../lib';
import { normalizeDashboardOptions } from '../../lib/dashboard/dashboard-options';

const query = new MemoryRecorder();

describe('createDashboard options', () => {
  test.each([
    [undefined, '`options`'],
    [{}, '`query`'],
    [{ query: { totals() {} } }, '`query`'],
    [{ query, bridge: {} }, '`bridge`'],
    [{ query, title: '' }, '`title`'],
    [{ query, title: 'x'.repeat(201) }, '`title`'],
    [{ query, basePath: 'admin' }, '`basePath`'],
    [{ query, basePath: '/admin/../x' }, '`basePath`'],
    [{ query, basePath: '/a"b' }, '`basePath`'],
    [{ query, basePath: '//evil.example' }, '`basePath`'],
    [{ query, logger: {} }, '`logger`'],
    [{ query, querry: query }, '`querry`'],
  ])('%j names %s', (options, name) => {
    expect(() => createDashboard(options as never)).toThrow(name);
  });

  test('defaults and a normalised basePath', () => {
    const config = normalizeDashboardOptions({ query, basePath: '/admin/ai/' });
    expect(config).toMatchObject({ title: 'AI usage', basePath: '/admin/ai', bridge: undefined });
    expect(normalizeDashboardOptions({ query }).basePath).toBeUndefined();
  });

  test('a bridge (an Express Router, so a function) is accepted', () => {
    const bridge = Object.assign(() => undefined, { keyPoolStatus: async () => [] });
    expect(normalizeDashboardOptions({ query, bridge: bridge as never }).bridge).toBe(bridge);
  });
});
