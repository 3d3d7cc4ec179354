import { timeOrderedId } from '../../lib/recorder/record-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const now = Date.UTC(2026, 11, 7, 12, 0, 0, 123);
    const id = timeOrderedId(now);
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it('sorts ids of later moments after earlier ones, and never repeats within a moment', () => {
    const now = Date.now();
    const earlier = Array.from({ length: 200 }, () => timeOrderedId(now));
    const later = Array.from({ length: 200 }, () => timeOrderedId(now + 1));
    expect(new Set([...earlier, ...later]).size).toBe(400);
    for (const a of earlier) for (const b of later) expect(a < b).toBe(true);
  });
});
