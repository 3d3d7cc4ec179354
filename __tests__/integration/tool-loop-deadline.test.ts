/** The total deadline holds per upstream call of the tool loop: each call gets its own, a dripping one is cut. */
import type { ServerResponse } from 'node:http';
import { openaiProvider } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(3);
const suite = bridgeSuite((url) => ({
  providers: [openaiProvider({ baseURL: url, keys: ['sk-deadline-key-000000001'], timeouts: { headersMs: 10_000, idleMs: 10_000, totalMs: 400 } })],
  tools: injector,
}));

test('a first call of 250 ms passes, the second drips past its own 400 ms → 504 timeout, both calls recorded', async () => {
  const script = chatScript([{ toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] }]);
  let calls = 0;
  suite.upstream.behaviour = (req, res: ServerResponse) => {
    if (++calls === 1) {
      setTimeout(() => script(req, res), 250);
      return undefined;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 50);
    res.once('close', () => clearInterval(timer));
    return undefined;
  };
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 2+3?' }] }),
  });
  expect(res.status).toBe(504);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_timeout');
  expect(injector.calls.map((c) => c.name)).toEqual(['bmcp_calc_add']);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  const [ended] = suite.gw.recorder.interceptionEnds;
  expect(ended).toMatchObject({ status: 'failed', errorType: 'timeout', httpStatus: 504 });
  expect(ended.attempts?.map((a) => a.httpStatus)).toEqual([200, 200]);
});
