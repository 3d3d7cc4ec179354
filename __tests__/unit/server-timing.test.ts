/** The Server-Timing stamp: set only on a timed response whose head is not out, numbers noted with or without the header, never a throw. */
import type { ServerResponse } from 'node:http';
import { startTiming, stampServerTiming } from '../../lib/http/server-timing';
import { overheadOf } from '../../lib/recorder/latency-percentiles';

function fakeResponse(overrides: Partial<{ headersSent: boolean; setHeader(name: string, value: string): void }> = {}) {
  const headers: Record<string, string> = {};
  const res = { headersSent: false, setHeader: (name: string, value: string) => { headers[name] = value; }, ...overrides };
  return { res: res as unknown as ServerResponse, headers };
}

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('a response nobody timed gets nothing', () => {
  const { res, headers } = fakeResponse();
  stampServerTiming(res);
  expect(headers).toEqual({});
});

test('upstream time is what the wait says, gateway time the rest', () => {
  const { res, headers } = fakeResponse();
  const wait = { upstreamMs: 0 };
  const timing = startTiming(res, wait, true);
  busy(5);
  wait.upstreamMs = 3;
  stampServerTiming(res);
  expect(headers['server-timing']).toMatch(/^gateway;dur=\d+(\.\d{1,2})?, upstream;dur=3$/);
  expect(timing.upstreamMs).toBe(3);
  expect(timing.gatewayMs).toBeGreaterThanOrEqual(2 - 0.01);
});

test('no upstream call: gateway only; header off: numbers noted, no header', () => {
  const first = fakeResponse();
  startTiming(first.res, {}, true);
  stampServerTiming(first.res);
  expect(first.headers['server-timing']).toMatch(/^gateway;dur=\d+(\.\d{1,2})?$/);

  const second = fakeResponse();
  const timing = startTiming(second.res, { upstreamMs: 1.234 }, false);
  busy(2);
  stampServerTiming(second.res);
  expect(second.headers).toEqual({});
  expect(timing.upstreamMs).toBe(1.23);
  expect(timing.gatewayMs).toBeGreaterThanOrEqual(0);
});

test('a head already out, or one that refuses the header, is left alone without a throw', () => {
  const sent = fakeResponse({ headersSent: true });
  const timing = startTiming(sent.res, {}, true);
  stampServerTiming(sent.res);
  expect(sent.headers).toEqual({});
  expect(timing.gatewayMs).toBeUndefined();

  const refusing = fakeResponse({ setHeader: () => { throw new Error('ERR_HTTP_HEADERS_SENT'); } });
  startTiming(refusing.res, {}, true);
  expect(() => stampServerTiming(refusing.res)).not.toThrow();
});

test('percentiles by nearest rank; none without samples', () => {
  expect(overheadOf([])).toEqual({ samples: 0 });
  expect(overheadOf([{ gateway: 7 }])).toEqual({ samples: 1, gatewayMs: { p50: 7, p90: 7, p99: 7 } });
  const ten = Array.from({ length: 10 }, (_, i) => ({ gateway: 10 - i, upstream: 100 * (10 - i) }));
  expect(overheadOf(ten)).toEqual({ samples: 10, gatewayMs: { p50: 5, p90: 9, p99: 10 }, upstreamFirstByteMs: { p50: 500, p90: 900, p99: 1000 } });
});
