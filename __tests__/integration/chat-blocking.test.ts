import OpenAI from 'openai';
import { openaiProvider } from '../../lib';
import { chatCompletion } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';

const POOL_KEY = 'sk-pool-key-aaaaaaaaaaaaaaaa1234';
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: [POOL_KEY], baseURL: url })] }));

const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

describe('blocking chat completions', () => {
  test('relays body bytes, status and useful headers unchanged', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
    const res = await fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer user-token-alice', cookie: 'session=secret', 'openai-beta': 'assistants=v2', 'x-forwarded-for': '10.0.0.1' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(JSON.stringify(chatCompletion()));
    expect(res.headers.get('x-request-id')).toBe('req_123');
    expect(res.headers.get('openai-processing-ms')).toBe('42');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-aibridge-interception-id')).toMatch(/^[0-9a-f-]{36}$/);

    const seen = suite.upstream.requests[0];
    expect(seen.headers.authorization).toBe(`Bearer ${POOL_KEY}`);
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBeUndefined();
    expect(seen.headers['openai-beta']).toBe('assistants=v2');
    expect(seen.body).toBe(JSON.stringify(body));
  });

  test('works with the OpenAI SDK and records the interception exactly', async () => {
    const answer = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'Say hello' }] });
    expect(answer.choices[0].message.content).toBe('Hello there!');
    expect(suite.upstream.requests[0].json.stream).toBeUndefined();

    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
    const [interception] = suite.gw.recorder.interceptions;
    expect(interception).toMatchObject({
      initiatorId: 'alice', metadata: { email: 'alice@example.com' }, provider: 'openai', providerName: 'openai',
      route: '/v1/chat/completions', model: 'gpt-4o-mini', streaming: false, credentialKind: 'centralized', client: 'openai-node',
    });
    expect(suite.gw.recorder.interceptionEnds[0]).toMatchObject({ id: interception.id, status: 'completed', httpStatus: 200, credentialHint: 'sk-p...1234' });
    expect(suite.gw.recorder.promptUsages).toEqual([expect.objectContaining({ interceptionId: interception.id, prompt: 'Say hello' })]);
    expect(suite.gw.recorder.tokenUsages).toEqual([expect.objectContaining({
      interceptionId: interception.id, msgId: 'chatcmpl-test123', input: 10, output: 5, cacheRead: 2, cacheWrite: 0,
      extra: expect.objectContaining({ completion_reasoning_tokens: 1, total_tokens: 17 }),
    })]);
    expect(suite.gw.bridge.stats().providers.openai).toMatchObject({ completed: expect.any(Number), upstreamAttempts: expect.any(Number), failovers: 0, keysExhausted: 0 });
    expect(suite.gw.bridge.stats().providers.openai.upstreamAttempts).toBe(suite.gw.bridge.stats().providers.openai.interceptions);
  });

  test('client-defined tool calls pass through untouched and are recorded as not injected', async () => {
    const toolCalls = [
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
    ];
    const reply = chatCompletion({ choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: toolCalls }, finish_reason: 'tool_calls' }] });
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    };
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const answer = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: 'auto' });
    expect(answer.choices[0].message.tool_calls).toEqual(toolCalls);
    expect(suite.upstream.requests[0].json.tools).toEqual(tools);
    expect(suite.upstream.requests[0].json.tool_choice).toBe('auto');
    await eventually(() => expect(suite.gw.recorder.toolUsages).toHaveLength(2));
    expect(suite.gw.recorder.toolUsages.map((t) => [t.tool, t.toolCallId, t.args, t.injected])).toEqual([
      ['get_weather', 'call_1', { city: 'Paris' }, false],
      ['get_time', 'call_2', { tz: 'CET' }, false],
    ]);
  });
});
