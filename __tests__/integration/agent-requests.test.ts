/** The coding agents' real request shapes (Claude Code, Codex, opencode), replayed without their CLIs: recorded client and session, headers forwarded. */
import { anthropicProvider, openaiProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';
import { responsesScript } from '../helpers/responses-script';

const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ keys: ['sk-agents-openai-0001'], baseURL: url }),
    anthropicProvider({ keys: ['sk-ant-agents-0001'], baseURL: url.replace(/\/v1$/, '') }),
  ],
}));

async function post(path: string, headers: Record<string, string>, body: object): Promise<string> {
  const res = await fetch(`${suite.gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer user-token-alice', ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.text();
}

async function recorded() {
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  return suite.gw.recorder.interceptions[0];
}

test('Claude Code 2.1: ?beta=true, the anthropic-beta list, x-app and the session header reach the upstream; recorded as claude-code', async () => {
  suite.upstream.behaviour = anthropicScript([{ text: 'pong' }]);
  const betas = 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,advanced-tool-use-2025-11-20,effort-2025-11-24';
  await post('/anthropic/v1/messages?beta=true', {
    'user-agent': 'claude-cli/2.1.332 (external, sdk-cli)', 'x-app': 'cli', 'anthropic-version': '2023-06-01', 'anthropic-beta': betas,
    'x-claude-code-session-id': 'c03d205a-0521-4cba-beee-51ff02c2063a', 'x-stainless-lang': 'js',
  }, {
    model: 'claude-opus-5-5', max_tokens: 128000, stream: true,
    thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'medium' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    tools: [{ name: 'Read', input_schema: { type: 'object' } }, { name: 'Placeholder', input_schema: { type: 'object' }, defer_loading: true }],
    messages: [{ role: 'user', content: 'Reply pong.' }, { role: 'system', content: [{ type: 'text', text: 'Environment: linux' }] }],
  });
  const [upstream] = suite.upstream.requests;
  expect(upstream.url).toBe('/v1/messages?beta=true');
  expect(upstream.headers).toMatchObject({ 'anthropic-beta': betas, 'x-app': 'cli', 'x-claude-code-session-id': 'c03d205a-0521-4cba-beee-51ff02c2063a' });
  expect(upstream.json).toMatchObject({ thinking: { type: 'adaptive' }, context_management: { edits: [{ type: 'clear_thinking_20251015' }] } });
  expect(await recorded()).toMatchObject({ client: 'claude-code', clientSessionId: 'c03d205a-0521-4cba-beee-51ff02c2063a', route: '/v1/messages' });
});

test('Codex 0.171 (codex exec): session-id, originator and x-codex-* reach the upstream; recorded as codex', async () => {
  suite.upstream.behaviour = responsesScript([{ text: 'pong' }]);
  await post('/openai/v1/responses', {
    'user-agent': 'codex_exec/0.171.0 (Debian 12.0.0; x86_64) dumb (codex_exec; 0.171.0)', originator: 'codex_exec',
    'session-id': '01a236f0-d027-7922-816c-3c8d7ea40006', 'x-codex-window-id': '01a236f0-d027-7922-816c-3c8d7ea40006:0',
    'x-codex-beta-features': 'remote_compaction_v2',
  }, {
    model: 'gpt-5-codex', stream: true, store: false, include: ['reasoning.encrypted_content'], reasoning: { summary: 'auto' },
    tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object' } }, { type: 'namespace', name: 'multi_agent_v1', tools: [] }, { type: 'web_search', external_web_access: false }],
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Reply pong.' }] }],
  });
  const [upstream] = suite.upstream.requests;
  expect(upstream.headers).toMatchObject({ originator: 'codex_exec', 'session-id': '01a236f0-d027-7922-816c-3c8d7ea40006', 'x-codex-beta-features': 'remote_compaction_v2' });
  expect(await recorded()).toMatchObject({ client: 'codex', clientSessionId: '01a236f0-d027-7922-816c-3c8d7ea40006', route: '/v1/responses' });
});

test('opencode 1.18 (custom OpenAI-compatible provider): recorded as opencode with its x-session-id', async () => {
  suite.upstream.behaviour = chatScript([{ text: 'pong' }]);
  await post('/openai/v1/chat/completions', {
    'user-agent': 'opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14',
    'x-session-affinity': 'ses_dc90dc003ffeLMrfJjsdR3pOdW', 'x-session-id': 'ses_dc90dc003ffeLMrfJjsdR3pOdW',
  }, {
    model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, max_tokens: 32000,
    tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }], tool_choice: 'auto',
    messages: [{ role: 'system', content: 'You are opencode.' }, { role: 'user', content: 'Reply pong.' }],
  });
  expect(suite.upstream.requests[0].headers['x-session-affinity']).toBe('ses_dc90dc003ffeLMrfJjsdR3pOdW');
  expect(await recorded()).toMatchObject({ client: 'opencode', clientSessionId: 'ses_dc90dc003ffeLMrfJjsdR3pOdW', route: '/v1/chat/completions' });
});
