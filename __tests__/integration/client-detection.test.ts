/** Every known client, with the headers it really sends, through the bridge into the record: `client` and `clientSessionId`. */
import { anthropicProvider, openaiProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { chatScript } from '../helpers/chat-script';
import { bridgeSuite, eventually } from '../helpers/gateway';

const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ keys: ['sk-clients-openai-0001'], baseURL: url }),
    anthropicProvider({ keys: ['sk-ant-clients-0001'], baseURL: url.replace(/\/v1$/, '') }),
  ],
  clients: { extra: [{ name: 'acme-agent', userAgent: /^AcmeAgent\//, sessionHeaders: ['x-acme-run'] }] },
}));

interface Case {
  label: string;
  api: 'chat' | 'messages';
  headers: Record<string, string>;
  body?: Record<string, unknown>;
  client: string | undefined;
  sessionId: string | undefined;
}

const SID = '5b0f8e4e-2f54-4c55-9a1e-8c2d9b7f1a10';

const CASES: Case[] = [
  { label: 'Claude Code 2.1 (session header)', api: 'messages', client: 'claude-code', sessionId: SID,
    headers: { 'user-agent': 'claude-cli/2.1.332 (external, cli)', 'x-app': 'cli', 'x-claude-code-session-id': SID, 'x-stainless-lang': 'js' } },
  { label: 'Claude Code 1.0 (session in metadata.user_id)', api: 'messages', client: 'claude-code', sessionId: SID,
    headers: { 'user-agent': 'claude-cli/1.0.72 (external, cli)', 'x-app': 'cli' },
    body: { metadata: { user_id: `user_${'a1'.repeat(32)}_account__session_${SID}` } } },
  { label: 'Claude Code 2.x (metadata.user_id as JSON)', api: 'messages', client: 'claude-code', sessionId: SID,
    headers: { 'user-agent': 'claude-cli/2.0.14 (external, sdk-ts)' },
    body: { metadata: { user_id: JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: SID }) } } },
  { label: 'Codex 0.171 (session-id)', api: 'chat', client: 'codex', sessionId: 'codex-1',
    headers: { 'user-agent': 'codex_cli_rs/0.171.0 (Debian 12.0.0; x86_64) xterm-256color', originator: 'codex_cli_rs', 'session-id': 'codex-1' } },
  { label: 'Codex 0.4x (session_id)', api: 'chat', client: 'codex', sessionId: 'codex-2',
    headers: { 'user-agent': 'codex_exec/0.44.0 (Mac OS 15.0.0; arm64) dumb', originator: 'codex_exec', session_id: 'codex-2' } },
  { label: 'opencode (own provider headers)', api: 'chat', client: 'opencode', sessionId: 'ses_opencode1',
    headers: { 'user-agent': 'opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14', 'x-opencode-session': 'ses_opencode1', 'x-opencode-request': 'msg_1', 'x-opencode-project': 'p' } },
  { label: 'Kilo Code', api: 'chat', client: 'kilo-code', sessionId: 'kilo-task-9',
    headers: { 'user-agent': 'Kilo-Code/4.121.0', 'http-referer': 'https://kilocode.ai', 'x-title': 'Kilo Code', 'x-kilocode-version': '4.121.0', 'x-kilocode-taskid': 'kilo-task-9' } },
  { label: 'Roo Code', api: 'chat', client: 'roo-code', sessionId: undefined,
    headers: { 'user-agent': 'RooCode/3.53.0', 'http-referer': 'https://github.com/RooVetGit/Roo-Cline', 'x-title': 'Roo Code', 'x-stainless-lang': 'js' } },
  { label: 'Cline', api: 'chat', client: 'cline', sessionId: 'cline-task-3',
    headers: { 'user-agent': 'Cline/3.0.47', 'http-referer': 'https://cline.bot', 'x-title': 'Cline', 'x-client-type': 'VSCode Extension', 'x-task-id': 'cline-task-3' } },
  { label: 'GitHub Copilot in VS Code', api: 'chat', client: 'copilot-vscode', sessionId: 'inter-77',
    headers: { 'user-agent': 'GitHubCopilotChat/0.26.7', 'editor-version': 'vscode/1.104.1', 'editor-plugin-version': 'copilot-chat/0.26.7', 'copilot-integration-id': 'vscode-chat', 'openai-intent': 'conversation-agent', 'x-interaction-id': 'inter-77', 'x-initiator': 'user' } },
  { label: 'GitHub Copilot CLI', api: 'chat', client: 'copilot-cli', sessionId: 'cli-sess-5',
    headers: { 'user-agent': 'copilot/0.0.363 (linux v22.15.0)', 'copilot-integration-id': 'copilot-developer-cli', 'x-client-session-id': 'cli-sess-5', 'x-interaction-id': 'inter-8' } },
  { label: 'Charm Crush', api: 'messages', client: 'crush', sessionId: undefined, headers: { 'user-agent': 'Charm-Crush/0.7.1' } },
  { label: 'Zed', api: 'chat', client: 'zed', sessionId: undefined, headers: { 'user-agent': 'Zed/0.211.6 (macos; x86_64)' } },
  { label: 'Junie', api: 'chat', client: 'junie', sessionId: undefined, headers: { 'user-agent': 'Junie/252.284 (IntelliJ IDEA)' } },
  { label: 'Cursor', api: 'chat', client: 'cursor', sessionId: undefined, headers: { 'user-agent': 'Cursor/1.7.0' } },
  { label: 'Vercel AI SDK', api: 'chat', client: 'vercel-ai-sdk', sessionId: undefined, headers: { 'user-agent': 'ai/7.0.185 ai-sdk/provider-utils/4.0.23 runtime/node.js/22' } },
  { label: 'Vercel AI SDK (provider-utils spelt with a dash)', api: 'chat', client: 'vercel-ai-sdk', sessionId: undefined, headers: { 'user-agent': 'ai/7.0.185 ai-sdk-provider-utils/4.0.23' } },
  { label: 'LangChain.js', api: 'chat', client: 'langchain', sessionId: undefined, headers: { 'user-agent': 'langchainjs-openai/1.0.0 ((node/v20.18.0; linux; x64))' } },
  { label: 'LlamaIndex', api: 'chat', client: 'llamaindex', sessionId: undefined, headers: { 'user-agent': 'llamaindex-ts/0.12.0' } },
  { label: 'OpenAI Node SDK', api: 'chat', client: 'openai-node', sessionId: undefined, headers: { 'user-agent': 'OpenAI/JS 6.49.0', 'x-stainless-lang': 'js' } },
  { label: 'OpenAI Python SDK', api: 'chat', client: 'openai-python', sessionId: undefined, headers: { 'user-agent': 'OpenAI/Python 2.8.1' } },
  { label: 'Anthropic Node SDK', api: 'messages', client: 'anthropic-node', sessionId: undefined, headers: { 'user-agent': 'Anthropic/JS 1.14.0' } },
  { label: 'Anthropic Python SDK', api: 'messages', client: 'anthropic-python', sessionId: undefined, headers: { 'user-agent': 'Anthropic/Python 0.72.0' } },
  { label: "a host's own rule, tried first", api: 'chat', client: 'acme-agent', sessionId: 'run-12', headers: { 'user-agent': 'AcmeAgent/2 OpenAI/JS 6.49.0', 'x-acme-run': 'run-12' } },
  { label: 'an unknown client with a common session header', api: 'chat', client: undefined, sessionId: 'plain-1', headers: { 'user-agent': 'curl/8.5.0', 'x-session-id': 'plain-1' } },
];

async function send(c: Case): Promise<void> {
  const chat = c.api === 'chat';
  suite.upstream.behaviour = chat ? chatScript([{ text: 'pong' }]) : anthropicScript([{ text: 'pong' }]);
  const body = chat
    ? { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply pong.' }], ...c.body }
    : { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Reply pong.' }], ...c.body };
  const res = await fetch(`${suite.gw.url}${chat ? '/openai/v1/chat/completions' : '/anthropic/v1/messages'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer user-token-alice', ...(chat ? {} : { 'anthropic-version': '2023-06-01' }), ...c.headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  await res.text();
}

test.each(CASES)('$label is recorded as $client with its session', async (c) => {
  await send(c);
  await eventually(() => expect(suite.gw.recorder.interceptions).toHaveLength(1));
  const [record] = suite.gw.recorder.interceptions;
  expect({ client: record.client, sessionId: record.clientSessionId }).toEqual({ client: c.client, sessionId: c.sessionId });
});
