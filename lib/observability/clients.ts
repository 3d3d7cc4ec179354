/** The table of known AI clients: how each is recognised (User-Agent, headers) and where its session id is read. */

/** Reads a session id from the parsed request body (e.g. Claude Code's `metadata.user_id`); gets hostile input. */
export type SessionFromBody = (body: Record<string, unknown>) => string | undefined;

/**
 * One client the bridge recognises. A rule matches when `userAgent` matches the request's `User-Agent`, or when
 * any entry of `headers` matches (a header name with `true`: present; with a RegExp: its value matches). Rules are
 * tried in order and the first match names the client, so a tool that embeds an SDK's User-Agent comes before it.
 */
export interface ClientRule {
  /** Recorded as the interception's `client`: 1–64 characters of `[A-Za-z0-9._-]`. Required. */
  name: string;
  /** Tested against the whole `User-Agent`. Defaults to none (headers only). */
  userAgent?: RegExp;
  /** Distinguishing headers (names case-insensitive): `true` when presence is enough. Defaults to none. */
  headers?: Record<string, RegExp | true>;
  /** Headers carrying the client's session id, in order of preference. Defaults to none (the common ones still apply). */
  sessionHeaders?: string[];
  /** Where the body carries the session id when no session header does. Defaults to none. */
  sessionFromBody?: SessionFromBody;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A user_id past this is not Claude Code's; it is not parsed.
const MAX_USER_ID = 1_024;

/**
 * Claude Code's `metadata.user_id`: `user_<hash>_account_<uuid?>_session_<uuid>` (up to 2.0), or a JSON text
 * `{"device_id":…,"account_uuid":…,"session_id":…}` (later versions).
 */
export const claudeCodeSessionFromBody: SessionFromBody = (body) => {
  const metadata = body.metadata;
  if (!metadata || typeof metadata !== 'object') return undefined;
  const userId = (metadata as Record<string, unknown>).user_id;
  if (typeof userId !== 'string' || userId.length > MAX_USER_ID) return undefined;
  if (userId.startsWith('{')) {
    try {
      const sessionId = (JSON.parse(userId) as Record<string, unknown> | null)?.session_id;
      return typeof sessionId === 'string' ? sessionId : undefined;
    } catch {
      return undefined;
    }
  }
  const at = userId.lastIndexOf('_session_');
  if (at < 0) return undefined;
  const sessionId = userId.slice(at + '_session_'.length);
  return UUID.test(sessionId) ? sessionId : undefined;
};

/**
 * The built-in rules, coding agents and editors first, then the libraries Node apps call models through, then the
 * official SDKs (which the tools above them often embed: `opencode/… ai-sdk/provider-utils/…`). What each entry is
 * based on is said beside it; "no public evidence" marks a best guess.
 */
const RULES: ClientRule[] = [
  // `claude-cli/2.1.3 (external, cli)` (also `sdk-cli`, `sdk-ts` for the Agent SDK); sends x-claude-code-session-id
  // from 1.0.x, and its session in metadata.user_id on Anthropic Messages.
  {
    name: 'claude-code', userAgent: /^claude-cli\//i, headers: { 'x-claude-code-session-id': true },
    sessionHeaders: ['x-claude-code-session-id'], sessionFromBody: claudeCodeSessionFromBody,
  },
  // The Rust CLI sends `<originator>/<version> (…)`: codex_cli_rs, codex_exec, codex_vscode…, with the same
  // `originator` header, `session-id` (newer) or `session_id` (older) and x-codex-* headers.
  {
    name: 'codex', userAgent: /^codex(?:[_ ][\w ]*)?\//i, headers: { originator: /^codex/i, 'x-codex-window-id': true, 'x-codex-turn-metadata': true },
    sessionHeaders: ['session-id', 'session_id'],
  },
  // Kilo Code (a Roo Code fork): `Kilo-Code/4.x`, X-Title `Kilo Code`, X-KILOCODE-TASKID / X-KILOCODE-VERSION. It comes
  // before Roo Code and Cline, whose headers forks may still send.
  {
    name: 'kilo-code', userAgent: /^Kilo-?Code\//i, headers: { 'x-kilocode-taskid': true, 'x-kilocode-version': true, 'x-title': /^Kilo Code$/i },
    sessionHeaders: ['x-kilocode-taskid'],
  },
  // Roo Code: `RooCode/3.x`, HTTP-Referer github.com/RooVetGit/Roo-Cline (or Roo-Code), X-Title `Roo Code`. No session
  // header found in its public source.
  { name: 'roo-code', userAgent: /^RooCode\//i, headers: { 'x-title': /^Roo Code$/i } },
  // Cline: `Cline/3.x`, HTTP-Referer https://cline.bot, X-Title `Cline`, X-Task-ID (its task, one conversation).
  { name: 'cline', userAgent: /^Cline\//i, headers: { 'x-title': /^Cline$/i, 'http-referer': /^https:\/\/cline\.bot/i }, sessionHeaders: ['x-task-id'] },
  // opencode: `opencode/1.x ai-sdk/provider-utils/… runtime/bun/…`; x-opencode-session / -request / -project on its
  // own providers, x-session-affinity and x-session-id on OpenAI-compatible ones.
  {
    name: 'opencode', userAgent: /^opencode\//i, headers: { 'x-opencode-session': true, 'x-opencode-project': true },
    sessionHeaders: ['x-opencode-session', 'x-session-affinity', 'x-session-id'],
  },
  // Copilot in VS Code: `GitHubCopilotChat/0.x`, Copilot-Integration-Id `vscode-chat`, Editor-Version `vscode/…`;
  // x-interaction-id ties one chat interaction's requests together.
  {
    name: 'copilot-vscode', userAgent: /^GitHubCopilotChat\//i, headers: { 'copilot-integration-id': /^vscode-chat$/i },
    sessionHeaders: ['x-interaction-id', 'x-client-session-id'],
  },
  // Copilot CLI: `copilot/0.0.x (linux v22…)`, Copilot-Integration-Id `copilot-developer-cli`; X-Client-Session-Id.
  {
    name: 'copilot-cli', userAgent: /^copilot\/\d/i, headers: { 'copilot-integration-id': /^copilot-developer-cli$/i },
    sessionHeaders: ['x-client-session-id', 'x-interaction-id'],
  },
  // Charm Crush: `Charm-Crush/0.x` (seen lower-case too); no session header.
  { name: 'crush', userAgent: /^(charm-)?crush\//i },
  // Zed: `Zed/0.211.6 (macos; x86_64)`.
  { name: 'zed', userAgent: /^Zed\//i },
  // Junie (JetBrains): no public evidence of its User-Agent; `Junie` anywhere in it is the best guess.
  { name: 'junie', userAgent: /\bjunie\b/i },
  // Cursor calls custom endpoints from its own servers; no public evidence of a fixed User-Agent beyond its name.
  { name: 'cursor', userAgent: /\bcursor\b/i },
  // The Vercel AI SDK: `ai/5.0.x ai-sdk/provider-utils/3.0.x runtime/node.js/22` (provider-utils alone when the
  // provider is called directly).
  { name: 'vercel-ai-sdk', userAgent: /^ai\/\d|\bai-sdk[/-]provider-utils\// },
  // LangChain.js: `langchainjs-openai/1.0.0 (node/v20…)`, `langchainjs-anthropic/…`.
  { name: 'langchain', userAgent: /^langchainjs-|^langchain/i },
  // LlamaIndex: no public evidence of a User-Agent of its own (it calls the official SDKs); its name is the best guess.
  { name: 'llamaindex', userAgent: /llama[-_ ]?index/i },
  // The official SDKs: `OpenAI/JS 6.49.0`, `OpenAI/Python 2.x`, `Anthropic/JS 1.14.0`, and the Go and Java ones.
  { name: 'openai-node', userAgent: /^OpenAI\/JS/i },
  { name: 'openai-python', userAgent: /^OpenAI\/Python/i },
  { name: 'openai-go', userAgent: /^OpenAI\/Go/i },
  { name: 'openai-java', userAgent: /^OpenAI\/Java/i },
  { name: 'anthropic-node', userAgent: /^Anthropic\/JS/i },
  { name: 'anthropic-python', userAgent: /^Anthropic\/Python/i },
  { name: 'anthropic-go', userAgent: /^Anthropic\/Go/i },
  { name: 'anthropic-java', userAgent: /^Anthropic\/Java/i },
];

/** {@link RULES}, frozen: a host changes detection through `clients.extra`, not by editing the shared table. */
export const DEFAULT_CLIENT_RULES: readonly ClientRule[] = Object.freeze(RULES.map((rule) => Object.freeze(rule)));

/** Session headers read for any request (its client's own first), as agents and proxies commonly name them. */
export const COMMON_SESSION_HEADERS: readonly string[] = ['x-session-id', 'x-client-session-id', 'session-id', 'session_id', 'x-claude-code-session-id'];
