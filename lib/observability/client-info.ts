/** Names the AI client behind a request (for records), from its User-Agent and session headers. */
import type { IncomingHttpHeaders } from 'node:http';

const CLIENTS: ReadonlyArray<[RegExp, string]> = [
  [/^claude-cli\//i, 'claude-code'],
  [/codex/i, 'codex'],
  // opencode's own name leads its User-Agent (`opencode/1.18.33 ai-sdk/provider-utils/… runtime/bun/…`).
  [/^opencode\//i, 'opencode'],
  [/cursor/i, 'cursor'],
  [/^OpenAI\/JS/i, 'openai-node'],
  [/^OpenAI\/Python/i, 'openai-python'],
  [/^Anthropic\/JS/i, 'anthropic-node'],
  [/^Anthropic\/Python/i, 'anthropic-python'],
];

const SESSION_HEADERS = ['x-claude-code-session-id', 'session-id', 'session_id', 'x-session-id', 'x-client-session-id'];

export function detectClient(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  for (const [pattern, name] of CLIENTS) if (pattern.test(userAgent)) return name;
  return undefined;
}

export function clientSessionId(headers: IncomingHttpHeaders): string | undefined {
  for (const name of SESSION_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}
