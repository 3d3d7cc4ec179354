/** Seeded usage for dashboard tests: known numbers, a failover, an unpriced model and a hostile prompt, written to a real store. */
import { DEFAULT_PRICES, type ModelPrice } from '../../lib/recorder/prices';
import type { InterceptionRecord, Recorder } from '../../lib/recorder/types';

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
  /** The end's gatewayMs and upstreamFirstByteMs. */
  timing: [gateway: number, upstream: number];
}

const H = 3_600_000;
export const SEEDS: readonly Seed[] = [
  { id: 'i-alice-1', actor: 'alice', model: 'gpt-4o', provider: 'openai', client: 'openai-node', agoMs: 1 * H, tokens: [1000, 500, 200, 0], status: 'completed', timing: [0.8, 120] },
  { id: 'i-alice-2', actor: 'alice', model: 'gpt-4o', provider: 'openai', client: 'openai-node', agoMs: 2 * H, tokens: [2000, 800, 0, 0], status: 'completed', timing: [1.2, 300] },
  { id: 'i-bob-1', actor: 'bob', model: 'claude-sonnet-4-5', provider: 'anthropic', client: 'claude-code', agoMs: 3 * H, tokens: [3000, 1000, 0, 500], status: 'completed', timing: [2.5, 450] },
  { id: 'i-bob-2', actor: 'bob', model: 'claude-sonnet-4-5', provider: 'anthropic', client: 'claude-code', agoMs: 5 * H, tokens: [0, 0, 0, 0], status: 'failed', timing: [0.4, 50] },
  { id: 'i-mallory-1', actor: XSS_ACTOR, model: 'local-llama', provider: 'openai', agoMs: 0.5 * H, tokens: [400, 100, 0, 0], status: 'completed', timing: [0.6, 90] },
  { id: 'i-alice-old', actor: 'alice', model: 'gpt-4o', provider: 'openai', client: 'openai-node', agoMs: 72 * H, tokens: [10000, 2000, 0, 0], status: 'completed', timing: [5, 1000] },
];

const DAY = 24 * H;
const sum = (seeds: readonly Seed[], pick: (s: Seed) => number) => seeds.reduce((a, s) => a + pick(s), 0);
const allTokens = (s: Seed) => s.tokens[0] + s.tokens[1] + s.tokens[2] + s.tokens[3];
const tokensOf = (seeds: readonly Seed[], actor: string) => sum(seeds.filter((s) => s.actor === actor), allTokens);

/** The shipped price of `model` as the stores resolve it (exact name, else the longest prefix), or undefined. */
function priceOf(model: string): Required<ModelPrice> | undefined {
  const key = Object.keys(DEFAULT_PRICES).filter((k) => model.startsWith(k)).sort((a, b) => b.length - a.length)[0];
  const p = key === undefined ? undefined : DEFAULT_PRICES[key];
  return p && { input: p.input, output: p.output, cacheRead: p.cacheRead ?? p.input, cacheWrite: p.cacheWrite ?? p.input };
}

/** USD of the priced seeds, and the tokens of the unpriced ones, from the shipped price table. */
function costOf(seeds: readonly Seed[]): { usd: number; unpricedTokens: number } {
  let usd = 0;
  let unpricedTokens = 0;
  for (const s of seeds) {
    const p = priceOf(s.model);
    const [input, output, cacheRead, cacheWrite] = s.tokens;
    if (p) usd += (input * p.input + output * p.output + cacheRead * p.cacheRead + cacheWrite * p.cacheWrite) / 1e6;
    else unpricedTokens += allTokens(s);
  }
  return { usd, unpricedTokens };
}

const WEEK_SEEDS = SEEDS;
const DAY_SEEDS = SEEDS.filter((s) => s.agoMs < DAY);

/** What the seeds add up to over the last 7 days (all of them) and the last 24 hours (all but the 3-day-old one). */
export const SEEDED = {
  week: {
    interceptions: WEEK_SEEDS.length,
    completed: WEEK_SEEDS.filter((s) => s.status === 'completed').length,
    failed: WEEK_SEEDS.filter((s) => s.status === 'failed').length,
    input: sum(WEEK_SEEDS, (s) => s.tokens[0]),
    output: sum(WEEK_SEEDS, (s) => s.tokens[1]),
    aliceTokens: tokensOf(WEEK_SEEDS, 'alice'),
    bobTokens: tokensOf(WEEK_SEEDS, 'bob'),
    malloryTokens: tokensOf(WEEK_SEEDS, XSS_ACTOR),
    cost: costOf(WEEK_SEEDS),
  },
  day: { interceptions: DAY_SEEDS.length, aliceTokens: tokensOf(DAY_SEEDS, 'alice') },
  /** Nearest-rank percentiles of the seeds' times over the last 7 days (worked out by hand from `timing`). */
  weekOverhead: { samples: 6, gatewayMs: { p50: 0.8, p90: 5, p99: 5 }, upstreamFirstByteMs: { p50: 120, p90: 1000, p99: 1000 } },
};

/** Writes the seeds, timed relative to `now`, through `recorder`'s ordinary record methods. */
export async function seedUsage(recorder: Recorder, now: number): Promise<void> {
  for (const s of SEEDS) {
    const startedAt = new Date(now - s.agoMs);
    const i: InterceptionRecord = {
      id: s.id, initiatorId: s.actor, provider: s.provider, providerName: s.provider,
      route: s.provider === 'openai' ? '/chat/completions' : '/v1/messages', model: s.model, streaming: s.provider === 'anthropic',
      startedAt, client: s.client, credentialKind: 'centralized', credentialHint: 'sk-a...1111', metadata: { email: `${s.actor}@example.com` },
    };
    await recorder.recordInterception(i);
    const [input, output, cacheRead, cacheWrite] = s.tokens;
    if (allTokens(s) > 0) {
      await recorder.recordTokenUsage({ interceptionId: s.id, msgId: `msg-${s.id}`, input, output, cacheRead, cacheWrite, createdAt: startedAt });
    }
    await recorder.recordPromptUsage({ interceptionId: s.id, msgId: `msg-${s.id}`, prompt: s.actor === XSS_ACTOR ? XSS_PROMPT : `Question from ${s.actor}`, createdAt: startedAt });
    await recorder.recordInterceptionEnded({
      id: s.id, endedAt: new Date(startedAt.getTime() + 1500), status: s.status, httpStatus: s.status === 'failed' ? 500 : 200,
      errorType: s.status === 'failed' ? 'server_error' : undefined, credentialHint: 'sk-b...2222',
      gatewayMs: s.timing[0], upstreamFirstByteMs: s.timing[1],
      attempts: s.id === 'i-bob-1'
        ? [{ credentialHint: 'sk-a...1111', httpStatus: 429, errorType: 'rate_limited', durationMs: 120 }, { credentialHint: 'sk-b...2222', httpStatus: 200, durationMs: 900 }]
        : [{ credentialHint: 'sk-b...2222', httpStatus: s.status === 'failed' ? 500 : 200, durationMs: 700 }],
    });
  }
  const tools = [
    { interceptionId: 'i-alice-1', msgId: 'msg-i-alice-1', tool: 'bmcp_deepwiki_ask_question', toolCallId: 'call-1', serverUrl: 'https://mcp.example/mcp', args: { q: 'x' }, injected: true, createdAt: new Date(now - H) },
    { interceptionId: 'i-alice-2', msgId: 'msg-i-alice-2', tool: 'bmcp_deepwiki_ask_question', toolCallId: 'call-2', serverUrl: 'https://mcp.example/mcp', args: { q: 'y' }, injected: true, invocationError: 'timeout', createdAt: new Date(now - 2 * H) },
    { interceptionId: 'i-mallory-1', msgId: 'msg-i-mallory-1', tool: 'read_file', toolCallId: 'call-3', args: { path: '<script>alert(4)</script>' }, injected: false, createdAt: new Date(now - 0.5 * H) },
  ];
  for (const t of tools) await recorder.recordToolUsage(t);
  await recorder.recordModelThought?.({ interceptionId: 'i-mallory-1', msgId: 'msg-i-mallory-1', content: 'Thinking about <b>bold</b> input', source: 'thinking', createdAt: new Date(now - 0.5 * H) });
}
