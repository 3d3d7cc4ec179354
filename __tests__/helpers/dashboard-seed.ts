/** Seeded usage for dashboard tests: known numbers, a failover, an unpriced model and a hostile prompt. */
import type { FakeData } from './fake-usage-query';
import type { InterceptionRecord } from '../../lib/recorder/types';

export const XSS_PROMPT = 'Summarise <script>alert(1)</script> and <img src=x onerror="alert(2)"> please';
export const XSS_ACTOR = 'mallory<img src=x onerror=alert(3)>';

interface Seed {
  id: string;
  actor: string;
  model: string;
  provider: 'openai' | 'anthropic';
  client?: string;
  agoMs: number;
  tokens: [input: number, output: number, cacheRead: number, cacheWrite: number];
  status: 'completed' | 'failed' | 'aborted';
}

const H = 3_600_000;
const SEEDS: Seed[] = [
  { id: 'i-alice-1', actor: 'alice', model: 'gpt-4o', provider: 'openai', client: 'openai-node', agoMs: 1 * H, tokens: [1000, 500, 200, 0], status: 'completed' },
  { id: 'i-alice-2', actor: 'alice', model: 'gpt-4o', provider: 'openai', client: 'openai-node', agoMs: 2 * H, tokens: [2000, 800, 0, 0], status: 'completed' },
  { id: 'i-bob-1', actor: 'bob', model: 'claude-sonnet-4-5', provider: 'anthropic', client: 'claude-code', agoMs: 3 * H, tokens: [3000, 1000, 0, 500], status: 'completed' },
  { id: 'i-bob-2', actor: 'bob', model: 'claude-sonnet-4-5', provider: 'anthropic', client: 'claude-code', agoMs: 5 * H, tokens: [0, 0, 0, 0], status: 'failed' },
  { id: 'i-mallory-1', actor: XSS_ACTOR, model: 'local-llama', provider: 'openai', agoMs: 0.5 * H, tokens: [400, 100, 0, 0], status: 'completed' },
  { id: 'i-alice-old', actor: 'alice', model: 'gpt-4o', provider: 'openai', client: 'openai-node', agoMs: 72 * H, tokens: [10000, 2000, 0, 0], status: 'completed' },
];

/** Totals over the last 7 days (all seeds) and the last 24 hours (all but the 3-day-old one). */
export const SEEDED = {
  week: { interceptions: 6, input: 16400, output: 4400, aliceTokens: 16500, bobTokens: 4500, malloryTokens: 500 },
  day: { interceptions: 5, aliceTokens: 4500 },
};

export function seedUsage(now: number): FakeData {
  const data: FakeData = { interceptions: [], ends: [], tokens: [], prompts: [], tools: [], thoughts: [] };
  for (const s of SEEDS) {
    const startedAt = new Date(now - s.agoMs);
    const i: InterceptionRecord = {
      id: s.id, initiatorId: s.actor, provider: s.provider, providerName: s.provider,
      route: s.provider === 'openai' ? '/chat/completions' : '/v1/messages', model: s.model, streaming: s.provider === 'anthropic',
      startedAt, client: s.client, credentialKind: 'centralized', credentialHint: 'sk-a...1111', metadata: { email: `${s.actor}@example.com` },
    };
    data.interceptions.push(i);
    const [input, output, cacheRead, cacheWrite] = s.tokens;
    if (input + output + cacheRead + cacheWrite > 0) {
      data.tokens.push({ interceptionId: s.id, msgId: `msg-${s.id}`, input, output, cacheRead, cacheWrite, createdAt: startedAt });
    }
    data.prompts.push({ interceptionId: s.id, msgId: `msg-${s.id}`, prompt: s.actor === XSS_ACTOR ? XSS_PROMPT : `Question from ${s.actor}`, createdAt: startedAt });
    data.ends.push({
      id: s.id, endedAt: new Date(startedAt.getTime() + 1500), status: s.status, httpStatus: s.status === 'failed' ? 500 : 200,
      errorType: s.status === 'failed' ? 'server_error' : undefined, credentialHint: 'sk-b...2222',
      attempts: s.id === 'i-bob-1'
        ? [{ credentialHint: 'sk-a...1111', httpStatus: 429, errorType: 'rate_limited', durationMs: 120 }, { credentialHint: 'sk-b...2222', httpStatus: 200, durationMs: 900 }]
        : [{ credentialHint: 'sk-b...2222', httpStatus: s.status === 'failed' ? 500 : 200, durationMs: 700 }],
    });
  }
  data.tools.push(
    { interceptionId: 'i-alice-1', msgId: 'msg-i-alice-1', tool: 'bmcp_deepwiki_ask_question', toolCallId: 'call-1', serverUrl: 'https://mcp.example/mcp', args: { q: 'x' }, injected: true, createdAt: new Date(now - H) },
    { interceptionId: 'i-alice-2', msgId: 'msg-i-alice-2', tool: 'bmcp_deepwiki_ask_question', toolCallId: 'call-2', args: { q: 'y' }, injected: true, invocationError: 'timeout', createdAt: new Date(now - 2 * H) },
    { interceptionId: 'i-mallory-1', msgId: 'msg-i-mallory-1', tool: 'read_file', toolCallId: 'call-3', args: { path: '<script>alert(4)</script>' }, injected: false, createdAt: new Date(now - 0.5 * H) },
  );
  data.thoughts.push({ interceptionId: 'i-mallory-1', msgId: 'msg-i-mallory-1', content: 'Thinking about <b>bold</b> input', source: 'thinking', createdAt: new Date(now - 0.5 * H) });
  return data;
}
