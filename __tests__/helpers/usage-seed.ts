/** Seeds any Recorder with a fixed usage data set, and computes what UsageQuery must answer on it, independently of the stores. */
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PassthroughRecord, PromptUsageRecord, Recorder,
  TokenUsageRecord, ToolUsageRecord,
} from '../../lib/recorder/types';
import type { PriceTable } from '../../lib/recorder/prices';

/** The prices the stores get in these tests (`defaultPrices: false`), so expected costs are plain arithmetic. */
export const TEST_PRICES: PriceTable = {
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
};

export interface Seed {
  starts: InterceptionRecord[];
  ends: InterceptionEndedRecord[];
  tokens: TokenUsageRecord[];
  prompts: PromptUsageRecord[];
  tools: ToolUsageRecord[];
  thoughts: ModelThoughtRecord[];
  passthroughs: PassthroughRecord[];
}

const BASE = Date.UTC(2025, 5, 1, 0, 0, 0);
const ACTORS = ['alice', 'bob', 'carol'];
const MODELS = ['gpt-4o', 'gpt-4o-2024-08-06', 'claude-sonnet-4-20250514', 'mystery-model'];
const CLIENTS = ['claude-code', undefined, 'openai-node'];
const STATUSES: Array<InterceptionEndedRecord['status'] | undefined> = ['completed', 'completed', 'failed', 'aborted', undefined];

/**
 * 60 interceptions over three days (several per hour, some at the same millisecond to test cursor ties), with
 * every record kind. Deterministic, so stores can be compared and expectations computed by hand.
 */
export function makeSeed(prefix = 'i'): Seed {
  const seed: Seed = { starts: [], ends: [], tokens: [], prompts: [], tools: [], thoughts: [], passthroughs: [] };
  for (let n = 0; n < 60; n++) {
    const id = `${prefix}-${String(n).padStart(3, '0')}`;
    // Pairs share a start time so (startedAt, id) ordering matters.
    const startedAt = new Date(BASE + Math.floor(n / 2) * 37 * 60_000);
    const model = MODELS[n % MODELS.length]!;
    const anthropic = model.startsWith('claude');
    const client = CLIENTS[n % CLIENTS.length];
    const start: InterceptionRecord = {
      id, initiatorId: ACTORS[n % ACTORS.length]!, provider: anthropic ? 'anthropic' : 'openai', providerName: anthropic ? 'anthropic' : 'openai',
      route: anthropic ? '/v1/messages' : '/chat/completions', model, streaming: n % 2 === 0, startedAt,
      credentialKind: n % 7 === 0 ? 'byok' : 'centralized', metadata: { email: `${ACTORS[n % 3]}@example.com`, n },
      userAgent: `agent/${n}`, ...(client ? { client, clientSessionId: `sess-${n % 5}` } : {}),
      ...(n % 4 === 0 ? { credentialHint: 'sk-a...aaaa' } : {}), ...(n % 9 === 0 ? { correlatingToolCallId: `call-${n}` } : {}),
    };
    seed.starts.push(start);
    const status = STATUSES[n % STATUSES.length];
    if (status) {
      seed.ends.push({
        id, endedAt: new Date(startedAt.getTime() + 1500), status,
        ...(status === 'completed' ? { httpStatus: 200 } : status === 'failed' ? { httpStatus: 429, errorType: 'rate_limited', errorMessage: 'slow down <b>' } : { errorType: 'aborted' }),
        credentialHint: 'sk-b...bbbb',
        attempts: n % 3 === 0
          ? [{ credentialHint: 'sk-a...aaaa', httpStatus: 429, errorType: 'rate_limited', durationMs: 12 }, { credentialHint: 'sk-b...bbbb', httpStatus: 200, durationMs: 40 }]
          : [{ credentialHint: 'sk-b...bbbb', durationMs: 5 }],
      });
    }
    for (let k = 0; k < 1 + (n % 3); k++) {
      seed.tokens.push({
        interceptionId: id, msgId: `m-${n}-${k}`, input: 100 + n * 3 + k, output: 20 + n + k, cacheRead: n % 2 ? 50 : 0,
        cacheWrite: anthropic ? 10 * k : 0, ...(k === 1 ? { extra: { reasoning: 7 } } : {}), createdAt: new Date(startedAt.getTime() + 100 * (k + 1)),
      });
    }
    seed.prompts.push({ interceptionId: id, msgId: `m-${n}-0`, prompt: n === 5 ? '<script>alert(1)</script> and ünïcødé 🚀' : `prompt ${n}`, createdAt: new Date(startedAt.getTime() + 1) });
    if (n % 2 === 0) {
      const injected = n % 4 === 0;
      seed.tools.push({
        interceptionId: id, msgId: `m-${n}-0`, tool: n % 6 === 0 ? 'read_file' : 'bmcp_deepwiki_ask', toolCallId: `call-${n}`,
        ...(injected ? { serverUrl: 'https://mcp.example/mcp' } : {}), args: n % 8 === 0 ? 'raw string args' : { path: `/tmp/${n}`, deep: [1, { x: null }] },
        injected, ...(n % 10 === 0 ? { invocationError: 'tool failed' } : {}), createdAt: new Date(startedAt.getTime() + 200),
      });
    }
    if (anthropic) seed.thoughts.push({ interceptionId: id, msgId: `m-${n}-0`, content: `thinking ${n}`, source: 'thinking', createdAt: new Date(startedAt.getTime() + 50) });
    if (n % 10 === 0) {
      seed.passthroughs.push({
        id: `p-${prefix}-${n}`, initiatorId: start.initiatorId, providerName: 'openai', method: 'GET', path: '/models', httpStatus: 200,
        durationMs: 3, ...(n % 20 === 0 ? { credentialHint: 'sk-a...aaaa' } : {}), createdAt: startedAt,
      });
    }
  }
  return seed;
}

/** Feeds the seed to a recorder in the order the bridge would: start, children, end. */
export function feed(recorder: Recorder, seed: Seed): void {
  for (const s of seed.starts) recorder.recordInterception(s);
  for (const t of seed.tokens) recorder.recordTokenUsage(t);
  for (const p of seed.prompts) recorder.recordPromptUsage(p);
  for (const t of seed.tools) recorder.recordToolUsage(t);
  for (const t of seed.thoughts) recorder.recordModelThought?.(t);
  for (const p of seed.passthroughs) recorder.recordPassthrough?.(p);
  for (const e of seed.ends) recorder.recordInterceptionEnded(e);
}

export interface Expected {
  interceptions: number; completed: number; failed: number; aborted: number;
  input: number; output: number; cacheRead: number; cacheWrite: number; usd: number; unpricedTokens: number; unpricedModels: string[];
}

/** What `totals` must say for the interceptions `keep` accepts, written out by hand from the seed. */
export function expectedTotals(seed: Seed, keep: (s: InterceptionRecord) => boolean): Expected {
  const e: Expected = { interceptions: 0, completed: 0, failed: 0, aborted: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, usd: 0, unpricedTokens: 0, unpricedModels: [] };
  const kept = new Map(seed.starts.filter(keep).map((s) => [s.id, s]));
  for (const s of kept.values()) {
    e.interceptions++;
    const end = seed.ends.find((x) => x.id === s.id);
    if (end) e[end.status]++;
  }
  for (const t of seed.tokens) {
    const s = kept.get(t.interceptionId);
    if (!s) continue;
    e.input += t.input;
    e.output += t.output;
    e.cacheRead += t.cacheRead;
    e.cacheWrite += t.cacheWrite;
    const price = s.model.startsWith('gpt-4o') ? TEST_PRICES['gpt-4o'] : s.model.startsWith('claude-sonnet-4') ? TEST_PRICES['claude-sonnet-4'] : undefined;
    if (!price) {
      e.unpricedTokens += t.input + t.output + t.cacheRead + t.cacheWrite;
      if (!e.unpricedModels.includes(s.model)) e.unpricedModels.push(s.model);
      continue;
    }
    e.usd += (t.input * price.input + t.output * price.output + t.cacheRead * (price.cacheRead ?? price.input) + t.cacheWrite * (price.cacheWrite ?? price.input)) / 1e6;
  }
  e.unpricedModels.sort();
  return e;
}
