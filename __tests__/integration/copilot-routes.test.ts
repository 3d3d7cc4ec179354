/**
 * Copilot headers and BYOK, the routes: a request without a token is a 401 in its route's shape (OpenAI's, or
 * Anthropic's on /v1/messages) and is sent nowhere; passthrough of /models, /agents, /mcp and /.well-known reaches
 * the upstream's root with the token; any other path is a 404 sent nowhere.
 */
import Anthropic from '@anthropic-ai/sdk';
import { eventually } from '../helpers/gateway';
import { COPILOT_MODELS, MCP_SESSION_ID } from '../helpers/copilot-upstream';
import { COPILOT_HEADERS, TOKEN, USER, copilotSuite, question } from '../helpers/copilot-suite';

const s = copilotSuite();

describe('without a token', () => {
  async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${s.gw.url}/copilot${path}`, { ...init, headers: { 'content-type': 'application/json', ...USER, ...COPILOT_HEADERS, ...(init.headers as object) } });
    return { status: res.status, body: await res.json() };
  }

  test('chat completions and Responses: a 401 in OpenAI\'s shape, nothing sent upstream', async () => {
    for (const path of ['/v1/chat/completions', '/v1/responses']) {
      const plain = await raw(path, { method: 'POST', body: JSON.stringify({ ...question, input: 'hi' }) });
      expect(plain.status).toBe(401);
      expect(plain.body).toEqual({ error: { type: 'authentication_error', code: 'missing_api_key', message: expect.stringContaining('own API key') } });
    }
    // An empty bearer token is no token.
    const empty = await raw('/v1/chat/completions', { method: 'POST', body: JSON.stringify(question), headers: { authorization: 'Bearer ' } });
    expect(empty.status).toBe(401);
    expect(s.upstream.requests).toHaveLength(0);
    // Recorded as refused, under the only credential kind this provider has.
    await s.ended(3);
    expect(s.gw.recorder.interceptions.map((i) => [i.route, i.credentialKind])).toEqual([
      ['/v1/chat/completions', 'byok'], ['/v1/responses', 'byok'], ['/v1/chat/completions', 'byok'],
    ]);
    for (const end of s.gw.recorder.interceptionEnds) expect(end).toMatchObject({ status: 'failed', httpStatus: 401, errorCode: 'missing_api_key' });
    expect(s.upstream.requests).toHaveLength(0);
  });

  test('Anthropic Messages: a 401 in Anthropic\'s shape, nothing sent upstream', async () => {
    // Told to send no credential header at all (the SDK refuses to send without one unless told so).
    const err = await s.anthropic({ apiKey: null, authToken: null }, { authorization: null }).messages.create({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toEqual({ type: 'error', error: expect.objectContaining({ type: 'authentication_error' }) });
    const plain = await raw('/v1/messages', { method: 'POST', body: JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }) });
    expect(plain.status).toBe(401);
    expect(plain.body).toEqual({ type: 'error', error: expect.objectContaining({ type: 'authentication_error' }) });
    expect(s.upstream.requests).toHaveLength(0);
  });

  test('passthrough: a 401 in OpenAI\'s shape, nothing sent upstream', async () => {
    const plain = await raw('/v1/models');
    expect(plain.status).toBe(401);
    expect(plain.body).toEqual({ error: expect.objectContaining({ type: 'authentication_error', code: 'missing_api_key' }) });
    expect(s.upstream.requests).toHaveLength(0);
  });
});

describe('passthrough', () => {
  const withToken = { ...USER, ...COPILOT_HEADERS, authorization: `Bearer ${TOKEN}` };

  test('/v1/models through the OpenAI SDK: GET /models upstream with the token and Copilot headers', async () => {
    const models = await s.openai().models.list();
    expect(models.data.map((m) => m.id)).toEqual(COPILOT_MODELS.data.map((m) => m.id));
    s.expectTokenAndHeaders(1);
    expect(s.upstream.requests[0]).toMatchObject({ method: 'GET', url: '/models' });
    await eventually(() => expect(s.gw.recorder.passthroughs).toHaveLength(1));
    s.expectTokenNowhere();
  });

  test('a /.well-known path, /agents and an MCP call reach the upstream at its root', async () => {
    const wellKnown = await fetch(`${s.gw.url}/copilot/v1/.well-known/oauth-protected-resource/mcp`, { headers: withToken });
    expect(wellKnown.status).toBe(200);
    expect(await wellKnown.json()).toMatchObject({ path: '/.well-known/oauth-protected-resource/mcp' });
    const agents = await fetch(`${s.gw.url}/copilot/v1/agents`, { headers: withToken });
    expect(await agents.json()).toEqual({ agents: [{ slug: 'docs', name: 'Docs' }] });
    const mcp = await fetch(`${s.gw.url}/copilot/v1/mcp/`, { method: 'POST', headers: { ...withToken, 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(await mcp.json()).toMatchObject({ result: { echoed: { method: 'tools/list' } } });
    // The session MCP opened comes back to the client, which sends it on its next calls.
    expect(mcp.headers.get('mcp-session-id')).toBe(MCP_SESSION_ID);
    s.expectTokenAndHeaders(3);
    expect(s.upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /.well-known/oauth-protected-resource/mcp', 'GET /agents', 'POST /mcp/']);
    s.expectTokenNowhere();
  });

  test('an MCP event stream (GET /v1/mcp/) reaches the client event by event, not buffered', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    s.upstream.mcpStream = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': MCP_SESSION_ID });
      res.write('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/one"}\n\n');
      void released.then(() => res.end('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/two"}\n\n'));
    };
    const res = await fetch(`${s.gw.url}/copilot/v1/mcp/`, { headers: { ...withToken, accept: 'text/event-stream', 'mcp-session-id': MCP_SESSION_ID } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The second event is written only once the first has reached the client.
    while (!text.includes('notifications/one')) text += decoder.decode((await reader.read()).value);
    expect(text).not.toContain('notifications/two');
    release();
    for (let part = await reader.read(); !part.done; part = await reader.read()) text += decoder.decode(part.value);
    expect(text).toContain('notifications/two');
    s.expectTokenAndHeaders(1);
    expect(s.upstream.requests[0].headers['mcp-session-id']).toBe(MCP_SESSION_ID);
  });

  test.each([
    ['GET', '/v1/files'],
    ['POST', '/v1/embeddings'],
    ['DELETE', '/v1/models'],
    ['GET', '/models'],
    ['GET', '/v1/user'],
  ])('%s %s, outside the allowlist: a 404 in OpenAI\'s shape, nothing sent upstream', async (method, path) => {
    const res = await fetch(`${s.gw.url}/copilot${path}`, { method, headers: { ...withToken, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.objectContaining({ code: 'unknown_route' }) });
    expect(s.upstream.requests).toHaveLength(0);
  });
});
