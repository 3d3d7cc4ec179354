/** When a model route's provider leaves a request to the next one: only when it could not serve it at all. */
import { GatewayError } from '../../lib/errors';
import { leavesToNext, type TriedProvider } from '../../lib/pipeline/model-routes/routed-request';

function tried(over: { headersSent?: boolean; aborted?: boolean; firstByteAt?: number; exhausted?: boolean; attempts?: number } = {}): TriedProvider {
  const abort = new AbortController();
  if (over.aborted) abort.abort();
  return {
    res: { headersSent: over.headersSent ?? false },
    signal: abort.signal,
    firstByteAt: over.firstByteAt,
    trace: { exhausted: over.exhausted, attempts: over.attempts ?? 1 },
  };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const circuitOpen = new GatewayError({ status: 503, errorType: 'overloaded', code: 'circuit_open', message: 'open' });
const keysCooling = new GatewayError({ status: 429, errorType: 'rate_limited', code: 'rate_limit_exceeded', message: 'cooling' });

describe('leavesToNext', () => {
  it('leaves to the next provider when every key is cooling, the circuit is open, or the upstream refused the connection', () => {
    expect(leavesToNext(tried({ exhausted: true, attempts: 0 }), keysCooling)).toBe(true);
    expect(leavesToNext(tried({ attempts: 0 }), circuitOpen)).toBe(true);
    expect(leavesToNext(tried(), refused)).toBe(true);
    expect(leavesToNext(tried(), Object.assign(new Error('timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))).toBe(true);
  });

  it('keeps the request once anything reached the client, the upstream answered, or the client left', () => {
    expect(leavesToNext(tried({ headersSent: true, exhausted: true }), keysCooling)).toBe(false);
    expect(leavesToNext(tried({ firstByteAt: Date.now() }), refused)).toBe(false);
    expect(leavesToNext(tried({ aborted: true }), refused)).toBe(false);
  });

  it('keeps a failure the request may have caused upstream, or one that is the bridge\'s own answer', () => {
    expect(leavesToNext(tried(), Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(leavesToNext(tried(), Object.assign(new Error('headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(false);
    expect(leavesToNext(tried(), new GatewayError({ status: 403, errorType: 'denied', code: 'forbidden', message: 'no' }))).toBe(false);
  });

  it('keeps a connection failure that came before any upstream attempt: a store or a hook failed, not the upstream', () => {
    expect(leavesToNext(tried({ attempts: 0 }), refused)).toBe(false);
  });
});
