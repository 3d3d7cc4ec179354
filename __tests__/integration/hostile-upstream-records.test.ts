// Records stay well-typed when an upstream answers with fields of the wrong type (a hostile or broken upstream).
import { openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: url })] }));

test('chat completions, blocking: a tool call whose id, name and arguments are not strings is recorded with strings', async () => {
  const answer = { id: 'chatcmpl-x', choices: [{ message: { tool_calls: [{ id: { x: 1 }, function: { name: ['evil'], arguments: { a: 1 } } }] } }] };
  suite.upstream.behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  };
  const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
    method: 'POST', headers: { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(await res.text()).toBe(JSON.stringify(answer));
  await eventually(() => expect(suite.gw.recorder.toolUsages).toHaveLength(1));
  expect(suite.gw.recorder.toolUsages[0]).toMatchObject({ tool: '', toolCallId: '', injected: false });
  expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed' });
});
