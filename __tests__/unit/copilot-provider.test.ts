import { COPILOT_HOSTS, copilotProvider, createBridge, openaiProvider } from '../../lib';
import { copilotClientCredential } from '../../lib/providers/copilot/copilot-provider';
import { chatCompletionsApi } from '../../lib/apis/openai-chat/chat-completions-api';
import { responsesApi } from '../../lib/apis/openai-responses/responses-api';
import { messagesApi } from '../../lib/apis/anthropic-messages/messages-api';

const actor = () => ({ id: 'u' });

describe('copilotProvider options', () => {
  test('defaults: named copilot, the individual host, always BYOK with no pool, three APIs', async () => {
    const p = copilotProvider();
    expect(p).toMatchObject({ kind: 'copilot', name: 'copilot', baseURL: 'https://api.individual.githubcopilot.com', byok: true, keys: [] });
    expect(p.credentials.entries).toEqual([]);
    expect(p.apis.map((a) => a.name)).toEqual(['chat-completions', 'responses', 'messages']);
  });

  test.each(Object.entries(COPILOT_HOSTS))('the %s host is a baseURL as it is', (_plan, host) => {
    expect(copilotProvider({ name: 'copilot-x', baseURL: host }).baseURL).toBe(host);
  });

  test.each(['keys', 'credentials', 'byok', 'cooldowns'])('`%s` is refused: there is no pool', (option) => {
    expect(() => copilotProvider({ [option]: option === 'byok' ? true : [] } as never)).toThrow(new RegExp(`^copilotProvider: option \`${option}\` is not an option: Copilot is always BYOK`));
  });

  test.each([
    ['name', { name: 'Copilot' }],
    ['baseURL', { baseURL: 'ftp://copilot' }],
    ['timeouts.connectMs', { timeouts: { connectMs: -1 } }],
    ['passthrough.remove[0]', { passthrough: { remove: ['/v1/files'] } }],
    ['baseUrl', { baseUrl: 'https://x' }],
    ['options', 'copilot'],
  ])('a bad `%s` is named', (option, options) => {
    expect(() => copilotProvider(options as never)).toThrow(`copilotProvider: option \`${option}\``);
  });

  test('the passthrough allowlist can be narrowed by pattern', () => {
    const p = copilotProvider({ passthrough: { remove: ['/v1/mcp/*'] } });
    expect(p.passthrough.map((r) => r.pattern)).toEqual(['/v1/models/*', '/v1/models/:id/policy', '/v1/agents/*', '/v1/.well-known/*']);
  });
});

describe('routes', () => {
  const p = copilotProvider();
  test.each([
    [chatCompletionsApi, '/chat/completions'],
    [responsesApi, '/responses'],
    [messagesApi, '/v1/messages'],
  ])('%#: the upstream path drops /v1 except for Anthropic Messages', (api, upstream) => {
    const path = api.route.slice(p.routePrefixInBaseURL.length);
    expect(p.upstreamPath!({ api, call: { model: 'm', streaming: false } as never, path })).toBe(upstream);
  });

  test.each([
    ['GET', '/v1/models', true],
    ['GET', '/v1/models/gpt-4.1', true],
    ['POST', '/v1/models/gpt-4.1/policy', true],
    ['GET', '/v1/agents', true],
    ['GET', '/v1/mcp/', true],
    ['DELETE', '/v1/mcp/', true],
    ['GET', '/v1/.well-known/oauth-protected-resource', true],
    ['POST', '/v1/models', false],
    ['POST', '/v1/agents/docs', false],
    ['GET', '/v1/files', false],
    ['GET', '/models', false],
  ])('passthrough %s %s: %s', (method, path, allowed) => {
    expect(p.passthrough.some((r) => r.methods.has(method) && r.matches(path))).toBe(allowed);
  });
});

describe('the client credential', () => {
  test('a bearer token, else x-api-key; always sent upstream as a bearer token', () => {
    expect(copilotClientCredential({ authorization: 'Bearer tid=1;exp=2' })).toEqual({ key: 'tid=1;exp=2', headers: { authorization: 'Bearer tid=1;exp=2' } });
    expect(copilotClientCredential({ 'x-api-key': ' ghu_token ' })).toEqual({ key: 'ghu_token', headers: { authorization: 'Bearer ghu_token' } });
    expect(copilotClientCredential({ authorization: 'Bearer a', 'x-api-key': 'b' })?.key).toBe('a');
  });

  test.each([{}, { authorization: 'Bearer ' }, { authorization: 'Basic abc' }, { 'x-api-key': '  ' }])('none in %p', (headers) => {
    expect(copilotClientCredential(headers)).toBeUndefined();
  });
});

describe('the baseURL warning', () => {
  function warnings(providers: Parameters<typeof createBridge>[0]['providers']): string[] {
    const warn = jest.fn();
    createBridge({ providers, actor, logger: { warn, error: jest.fn(), info: jest.fn(), debug: jest.fn() } as never });
    return warn.mock.calls.map((c) => String(c[0]));
  }

  test('a Copilot host (no path) is not taken for an OpenAI URL missing its /v1', () => {
    expect(warnings([copilotProvider()])).toEqual([]);
    expect(warnings([copilotProvider({ baseURL: COPILOT_HOSTS.enterprise })])).toEqual([]);
  });

  test('an OpenAI provider without /v1 is still warned about', () => {
    expect(warnings([openaiProvider({ keys: ['sk-1'], baseURL: 'https://api.openai.com' })])).toEqual([expect.stringContaining('did you mean https://api.openai.com/v1?')]);
  });
});
