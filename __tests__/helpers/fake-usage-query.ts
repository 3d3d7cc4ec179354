/** A small in-test UsageQuery over fixed records (filters, ranges, groups, pages), so dashboard tests need no store. */
import type {
  CostEstimate, InterceptionDetail, InterceptionSummary, Page, TimeBucket, ToolStat, UsageDimension, UsageGroup,
  UsagePoint, UsageQuery, UsageQueryBase, UsageTotals,
} from '../../lib/recorder/usage-query';
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, TokenUsageRecord, ToolUsageRecord,
} from '../../lib/recorder/types';

export interface FakeData {
  interceptions: InterceptionRecord[];
  ends: InterceptionEndedRecord[];
  tokens: TokenUsageRecord[];
  prompts: PromptUsageRecord[];
  tools: ToolUsageRecord[];
  thoughts: ModelThoughtRecord[];
}

/** USD per 1M tokens; models not listed are unpriced. */
export const FAKE_PRICES: Record<string, { input: number; output: number; cacheRead: number; cacheWrite: number }> = {
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 0 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
};

type Tokens = Pick<UsageTotals, 'input' | 'output' | 'cacheRead' | 'cacheWrite'>;

function cost(parts: Array<{ model: string } & Tokens>): CostEstimate {
  const out: CostEstimate = { usd: 0, unpricedTokens: 0, unpricedModels: [], estimate: true };
  for (const p of parts) {
    const price = FAKE_PRICES[p.model];
    if (!price) {
      out.unpricedTokens += p.input + p.output + p.cacheRead + p.cacheWrite;
      if (!out.unpricedModels.includes(p.model)) out.unpricedModels.push(p.model);
      continue;
    }
    out.usd += (p.input * price.input + p.output * price.output + p.cacheRead * price.cacheRead + p.cacheWrite * price.cacheWrite) / 1e6;
  }
  out.unpricedModels.sort();
  return out;
}

/** Records calls, so tests can check what the dashboard asked for. */
export class FakeUsageQuery implements UsageQuery {
  readonly calls: Array<{ method: string; args: unknown }> = [];
  failWith?: Error;

  constructor(readonly data: FakeData) {}

  private note(method: string, args: unknown): void {
    this.calls.push({ method, args });
    if (this.failWith) throw this.failWith;
  }

  private select(q: UsageQueryBase = {}): InterceptionRecord[] {
    const { range = {}, filter = {} } = q;
    return this.data.interceptions.filter((i) =>
      (!range.from || i.startedAt >= range.from) && (!range.to || i.startedAt < range.to)
      && (!filter.actor || i.initiatorId === filter.actor) && (!filter.model || i.model === filter.model)
      && (!filter.provider || i.providerName === filter.provider) && (!filter.client || i.client === filter.client));
  }

  private tokensOf(id: string): Tokens {
    const t = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    for (const u of this.data.tokens.filter((x) => x.interceptionId === id)) {
      t.input += u.input; t.output += u.output; t.cacheRead += u.cacheRead; t.cacheWrite += u.cacheWrite;
    }
    return t;
  }

  private sum(list: InterceptionRecord[]): UsageTotals {
    const parts = list.map((i) => ({ model: i.model, ...this.tokensOf(i.id) }));
    const status = (s: string) => list.filter((i) => this.data.ends.find((e) => e.id === i.id)?.status === s).length;
    return {
      interceptions: list.length, completed: status('completed'), failed: status('failed'), aborted: status('aborted'),
      input: parts.reduce((a, p) => a + p.input, 0), output: parts.reduce((a, p) => a + p.output, 0),
      cacheRead: parts.reduce((a, p) => a + p.cacheRead, 0), cacheWrite: parts.reduce((a, p) => a + p.cacheWrite, 0),
      cost: cost(parts),
    };
  }

  private keyOf(i: InterceptionRecord, by: UsageDimension): string {
    return { actor: i.initiatorId, model: i.model, provider: i.providerName, client: i.client ?? '' }[by];
  }

  async totals(q?: UsageQueryBase): Promise<UsageTotals> {
    this.note('totals', q);
    return this.sum(this.select(q));
  }

  async groupBy(q: UsageQueryBase & { by: UsageDimension; limit?: number }): Promise<UsageGroup[]> {
    this.note('groupBy', q);
    const groups = new Map<string, InterceptionRecord[]>();
    for (const i of this.select(q)) groups.set(this.keyOf(i, q.by), [...(groups.get(this.keyOf(i, q.by)) ?? []), i]);
    const total = (t: UsageTotals) => t.input + t.output + t.cacheRead + t.cacheWrite;
    return [...groups].map(([key, list]) => ({ key, ...this.sum(list) }))
      .sort((a, b) => total(b) - total(a)).slice(0, q.limit ?? 20);
  }

  async timeSeries(q: UsageQueryBase & { bucket: TimeBucket; by?: UsageDimension }): Promise<UsagePoint[]> {
    this.note('timeSeries', q);
    const step = q.bucket === 'hour' ? 3_600_000 : 86_400_000;
    const buckets = new Map<number, InterceptionRecord[]>();
    for (const i of this.select(q)) {
      const start = Math.floor(i.startedAt.getTime() / step) * step;
      buckets.set(start, [...(buckets.get(start) ?? []), i]);
    }
    return [...buckets].sort((a, b) => a[0] - b[0]).map(([start, list]) => ({ bucketStart: new Date(start), ...this.sum(list) }));
  }

  async topTools(q?: UsageQueryBase & { limit?: number }): Promise<ToolStat[]> {
    this.note('topTools', q);
    const ids = new Set(this.select(q).map((i) => i.id));
    const stats = new Map<string, ToolStat>();
    for (const t of this.data.tools.filter((x) => ids.has(x.interceptionId))) {
      const key = `${t.injected}:${t.tool}`;
      const s = stats.get(key) ?? { tool: t.tool, serverUrl: t.serverUrl, injected: t.injected, calls: 0, errors: 0 };
      s.calls += 1;
      if (t.invocationError) s.errors += 1;
      stats.set(key, s);
    }
    return [...stats.values()].sort((a, b) => b.calls - a.calls).slice(0, q?.limit ?? 20);
  }

  async recentInterceptions(q?: UsageQueryBase & { limit?: number; cursor?: string }): Promise<Page<InterceptionSummary>> {
    this.note('recentInterceptions', q);
    const all = this.select(q).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
    const start = q?.cursor ? Number(q.cursor) : 0;
    const limit = q?.limit ?? 50;
    const items = all.slice(start, start + limit).map((i) => this.summary(i));
    return start + limit < all.length ? { items, nextCursor: String(start + limit) } : { items };
  }

  private summary(i: InterceptionRecord): InterceptionSummary {
    const end = this.data.ends.find((e) => e.id === i.id);
    const t = this.tokensOf(i.id);
    return {
      id: i.id, initiatorId: i.initiatorId, providerName: i.providerName, provider: i.provider, route: i.route, model: i.model,
      streaming: i.streaming, client: i.client, startedAt: i.startedAt, endedAt: end?.endedAt, status: end?.status,
      httpStatus: end?.httpStatus, errorType: end?.errorType, credentialKind: i.credentialKind,
      credentialHint: end?.credentialHint ?? i.credentialHint, attempts: end?.attempts, ...t, cost: cost([{ model: i.model, ...t }]),
    };
  }

  async interception(id: string): Promise<InterceptionDetail | undefined> {
    this.note('interception', id);
    const interception = this.data.interceptions.find((i) => i.id === id);
    if (!interception) return undefined;
    const of = <T extends { interceptionId: string }>(list: T[]) => list.filter((r) => r.interceptionId === id);
    return {
      interception, ended: this.data.ends.find((e) => e.id === id), tokenUsages: of(this.data.tokens), prompts: of(this.data.prompts),
      tools: of(this.data.tools), thoughts: of(this.data.thoughts), cost: cost([{ model: interception.model, ...this.tokensOf(id) }]),
    };
  }
}
