/** The tools the loop offers on each call: a client `tool_choice` that survives no call without its tools, a client tool that wins over an injected one of the same name. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { anthropicProvider, openaiProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { responsesScript } from '../helpers/responses-script';
import { TestInjector } from '../helpers/test-injector';

const injector = new TestInjector(2);
const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ baseURL: url, keys: ['sk-toolset-key-00000000001'] }),
    anthropicProvider({ baseURL: url.replace(/\/v1$/, ''), keys: ['sk-ant-toolset-0000000001'] }),
  ],
  tools: injector,
}));
const openai = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic`, maxRetries: 0 });
const QUESTION = [{ role: 'user' as const, content: 'What is 2+3?' }];

type Named = { name?: string; function?: { name?: string } };
const offered = (tools: Named[] | undefined, name: string) => (tools ?? []).some((t) => (t.function?.name ?? t.name) === name);

beforeEach(() => {
  injector.calls.length = 0;
});

describe('a client tool_choice on the capped last call (which has no injected tools)', () => {
  // The model keeps calling the injected tool while it is offered.
  const callsAddWhileOffered = () => chatScript((req) => (offered(req.json.tools, 'bmcp_calc_add')
    ? { toolCalls: [{ id: `c${req.json.messages.length}`, name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] }
    : { text: 'Done with tools.' }));

  test('chat, blocking: a tool_choice naming an injected tool is dropped with the tools', async () => {
    const script = callsAddWhileOffered();
    suite.upstream.behaviour = script;
    const answer = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION, tool_choice: { type: 'function', function: { name: 'bmcp_calc_add' } } });
    expect(answer.choices[0].message.content).toBe('Done with tools.');
    expect(script.calls).toHaveLength(3);
    expect(script.calls[0].json.tool_choice).toEqual({ type: 'function', function: { name: 'bmcp_calc_add' } });
    expect(script.calls[2].json.tools).toBeUndefined();
    expect(script.calls[2].json.tool_choice).toBeUndefined();
  });

  test('chat, streamed: `required` without any client tool is dropped with the tools', async () => {
    const script = callsAddWhileOffered();
    suite.upstream.behaviour = script;
    const stream = openai().chat.completions.stream({ model: 'gpt-4o-mini', messages: QUESTION, tool_choice: 'required' });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Done with tools.');
    expect(script.calls[2].json.tool_choice).toBeUndefined();
  });

  test("chat: with client tools left, a choice naming an injected tool becomes `auto` and the client's own choice stays", async () => {
    const script = callsAddWhileOffered();
    suite.upstream.behaviour = script;
    const tools = [{ type: 'function' as const, function: { name: 'client_fn', parameters: { type: 'object' } } }];
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION, tools, tool_choice: { type: 'function', function: { name: 'bmcp_calc_add' } } });
    expect(script.calls[2].json.tools.map((t: Named) => t.function?.name)).toEqual(['client_fn']);
    expect(script.calls[2].json.tool_choice).toBe('auto');
    script.calls.length = 0;
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION, tools, tool_choice: 'required' });
    expect(script.calls[2].json.tool_choice).toBe('required');
  });

  test('Responses, blocking: a tool_choice naming an injected tool is dropped with the tools', async () => {
    const script = responsesScript((req) => (offered(req.json.tools, 'bmcp_calc_add')
      ? { toolCalls: [{ id: `c${JSON.stringify(req.json.input).length}`, name: 'bmcp_calc_add', arguments: '{"a":1,"b":1}' }] }
      : { text: 'Done with tools.' }));
    suite.upstream.behaviour = script;
    const answer = await openai().responses.create({ model: 'gpt-5', input: 'What is 2+3?', tool_choice: { type: 'function', name: 'bmcp_calc_add' } });
    expect(answer.output_text).toBe('Done with tools.');
    expect(script.calls).toHaveLength(3);
    expect(script.calls[2].json.tools).toBeUndefined();
    expect(script.calls[2].json.tool_choice).toBeUndefined();
  });
});

describe('a client tool named like an injected one', () => {
  test('chat: the upstream gets one tool of that name, and the model\'s call of it reaches the client unrun', async () => {
    const script = chatScript([{ toolCalls: [{ id: 'call_mine', name: 'bmcp_calc_add', arguments: '{"mine":true}' }] }]);
    suite.upstream.behaviour = script;
    const mine = { type: 'function' as const, function: { name: 'bmcp_calc_add', description: 'the client\'s own', parameters: { type: 'object' } } };
    const answer = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION, tools: [mine] });
    const sent = script.calls[0].json.tools as Array<{ function: { name: string; description: string } }>;
    expect(sent.filter((t) => t.function.name === 'bmcp_calc_add')).toEqual([expect.objectContaining({ function: expect.objectContaining({ description: 'the client\'s own' }) })]);
    expect(sent.map((t) => t.function.name)).toContain('bmcp_calc_fail'); // the other injected tools stay
    expect(answer.choices[0].message.tool_calls).toEqual([{ id: 'call_mine', type: 'function', function: { name: 'bmcp_calc_add', arguments: '{"mine":true}' } }]);
    expect(injector.calls).toHaveLength(0);
    await eventually(() => expect(suite.gw.logs.lines.some((l) => l.includes('client tool') && l.includes('bmcp_calc_add'))).toBe(true));
  });

  test('Messages, streamed: the same, with the client\'s tool_use block relayed', async () => {
    const script = anthropicScript([{ toolCalls: [{ id: 'toolu_mine', name: 'bmcp_calc_add', input: '{"mine":true}' }] }]);
    suite.upstream.behaviour = script;
    const stream = anthropic().messages.stream({ model: 'claude-test-1', max_tokens: 64, messages: QUESTION, tools: [{ name: 'bmcp_calc_add', input_schema: { type: 'object' } }] });
    const final = await stream.finalMessage();
    expect((script.calls[0].json.tools as Named[]).filter((t) => t.name === 'bmcp_calc_add')).toHaveLength(1);
    expect(final.content).toEqual([expect.objectContaining({ type: 'tool_use', id: 'toolu_mine', name: 'bmcp_calc_add', input: { mine: true } })]);
    expect(injector.calls).toHaveLength(0);
  });
});
