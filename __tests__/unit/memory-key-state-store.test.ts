/** MemoryKeyStateStore: the later deadline wins, and passed deadlines read as healthy. */
import { MemoryKeyStateStore } from '../../lib/keypool/memory-key-state-store';

function storeWithClock(start = 1_000_000): { store: MemoryKeyStateStore; advance(ms: number): void } {
  let now = start;
  return { store: new MemoryKeyStateStore({ now: () => now }), advance: (ms) => void (now += ms) };
}

describe('MemoryKeyStateStore', () => {
  it('answers synchronously, in order, undefined for healthy keys', () => {
    const { store } = storeWithClock();
    store.markCooldown('b', { until: 1_005_000, reason: 'rate_limited' });
    const result = store.getCooldowns(['a', 'b', 'c']);
    expect(result).toEqual([undefined, { until: 1_005_000, reason: 'rate_limited' }, undefined]);
    expect(store.getCooldowns([])).toEqual([]);
  });

  it('keeps the later deadline and ignores an earlier one', () => {
    const { store } = storeWithClock();
    store.markCooldown('k', { until: 1_010_000, reason: 'rate_limited' });
    store.markCooldown('k', { until: 1_005_000, reason: 'unauthorized' });
    expect(store.getCooldowns(['k'])).toEqual([{ until: 1_010_000, reason: 'rate_limited' }]);
    store.markCooldown('k', { until: 1_020_000, reason: 'unauthorized' });
    expect(store.getCooldowns(['k'])).toEqual([{ until: 1_020_000, reason: 'unauthorized' }]);
  });

  it('treats a passed deadline as healthy and accepts a new, earlier one after it', () => {
    const { store, advance } = storeWithClock();
    store.markCooldown('k', { until: 1_001_000, reason: 'rate_limited' });
    advance(999);
    expect(store.getCooldowns(['k'])[0]).toBeDefined();
    advance(1);
    expect(store.getCooldowns(['k'])).toEqual([undefined]);
    store.markCooldown('k', { until: 1_001_500, reason: 'unauthorized' });
    expect(store.getCooldowns(['k'])).toEqual([{ until: 1_001_500, reason: 'unauthorized' }]);
  });

  it('ignores a cooldown that has already passed', () => {
    const { store } = storeWithClock();
    store.markCooldown('k', { until: 999_999, reason: 'rate_limited' });
    store.markCooldown('k', { until: Number.NaN, reason: 'rate_limited' });
    expect(store.getCooldowns(['k'])).toEqual([undefined]);
  });

  it('does not let callers mutate stored state', () => {
    const { store } = storeWithClock();
    const cooldown = { until: 1_005_000, reason: 'rate_limited' as const };
    store.markCooldown('k', cooldown);
    cooldown.until = 9_999_999;
    const [read] = store.getCooldowns(['k']);
    if (read) read.until = 0;
    expect(store.getCooldowns(['k'])).toEqual([{ until: 1_005_000, reason: 'rate_limited' }]);
  });
});

test('reports itself as the memory store (keyPoolStatus `store`)', () => {
  expect(new MemoryKeyStateStore().source()).toBe('memory');
});
