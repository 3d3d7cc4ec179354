/** The UsageSource over MemoryRecorder's arrays (only what they still hold: the latest `maxRecords` per kind). */
import type { ModelTokens } from './prices';
import type { SummaryBase, UsageSource } from './query-engine';
import type { LatencySample } from './latency-percentiles';
import type {
  InterceptionEndedRecord, InterceptionRecord, ModelThoughtRecord, PromptUsageRecord, TokenUsageRecord, ToolUsageRecord,
} from './types';
import { filterEntries, type CountRow, type CursorPosition, type TokenRow } from './usage-fold';
import type { InterceptionDetail, ToolStat, UsageDimension, UsageQueryBase } from './usage-query';

/** The arrays a MemoryRecorder keeps. */
export interface MemoryRecords {
  readonly interceptions: InterceptionRecord[];
  readonly interceptionEnds: InterceptionEndedRecord[];
  readonly tokenUsages: TokenUsageRecord[];
  readonly promptUsages: PromptUsageRecord[];
  readonly toolUsages: ToolUsageRecord[];
  readonly modelThoughts: ModelThoughtRecord[];
}

function dimensionOf(r: InterceptionRecord, dim: UsageDimension): string {
  switch (dim) {
    case 'actor': return r.initiatorId;
    case 'model': return r.model;
    case 'provider': return r.providerName;
    default: return r.client ?? '';
  }
}

/** Answers UsageSource questions by scanning the arrays; fine for the few thousand records memory keeps. */
export class MemoryUsageSource implements UsageSource {
  constructor(private readonly records: MemoryRecords) {}

  async counts(q: UsageQueryBase, by?: UsageDimension, bucket?: number): Promise<CountRow[]> {
    const ends = this.endsById();
    return this.matching(q).map((r) => {
      const status = ends.get(r.id)?.status;
      return {
        ...this.keyOf(r, by, bucket),
        interceptions: 1,
        completed: status === 'completed' ? 1 : 0,
        failed: status === 'failed' ? 1 : 0,
        aborted: status === 'aborted' ? 1 : 0,
      };
    });
  }

  async tokens(q: UsageQueryBase, by?: UsageDimension, bucket?: number): Promise<TokenRow[]> {
    const byId = new Map(this.matching(q).map((r) => [r.id, r]));
    const rows: TokenRow[] = [];
    for (const t of this.records.tokenUsages) {
      const r = byId.get(t.interceptionId);
      if (r) rows.push({ ...this.keyOf(r, by, bucket), input: t.input, output: t.output, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite });
    }
    return rows;
  }

  async tools(q: UsageQueryBase): Promise<ToolStat[]> {
    const ids = new Set(this.matching(q).map((r) => r.id));
    const stats = new Map<string, ToolStat>();
    for (const u of this.records.toolUsages) {
      if (!ids.has(u.interceptionId)) continue;
      const key = JSON.stringify([u.tool, u.serverUrl ?? null, u.injected]);
      let s = stats.get(key);
      if (!s) {
        s = u.serverUrl === undefined
          ? { tool: u.tool, injected: u.injected, calls: 0, errors: 0 }
          : { tool: u.tool, serverUrl: u.serverUrl, injected: u.injected, calls: 0, errors: 0 };
        stats.set(key, s);
      }
      s.calls++;
      if (u.invocationError !== undefined) s.errors++;
    }
    return [...stats.values()];
  }

  async interceptions(q: UsageQueryBase, limit: number, after?: CursorPosition): Promise<SummaryBase[]> {
    const ends = this.endsById();
    return this.matching(q)
      .filter((r) => !after || r.startedAt.getTime() < after.startedAt || (r.startedAt.getTime() === after.startedAt && r.id < after.id))
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limit)
      .map((r) => summaryOf(r, ends.get(r.id)));
  }

  async tokensOf(ids: string[]): Promise<Map<string, ModelTokens>> {
    const wanted = new Set(ids);
    const out = new Map<string, ModelTokens>();
    for (const t of this.records.tokenUsages) {
      if (!wanted.has(t.interceptionId)) continue;
      const s = out.get(t.interceptionId) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
      s.input += t.input;
      s.output += t.output;
      s.cacheRead += t.cacheRead;
      s.cacheWrite += t.cacheWrite;
      out.set(t.interceptionId, s);
    }
    return out;
  }

  async detail(id: string): Promise<Omit<InterceptionDetail, 'cost'> | undefined> {
    const interception = this.records.interceptions.find((r) => r.id === id);
    if (!interception) return undefined;
    const ended = this.records.interceptionEnds.find((r) => r.id === id);
    const mine = <T extends { interceptionId: string; createdAt: Date }>(list: T[]): T[] =>
      list.filter((r) => r.interceptionId === id).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return {
      interception,
      ...(ended ? { ended } : {}),
      tokenUsages: mine(this.records.tokenUsages),
      prompts: mine(this.records.promptUsages),
      tools: mine(this.records.toolUsages),
      thoughts: mine(this.records.modelThoughts),
    };
  }

  async latencies(q: UsageQueryBase, limit: number): Promise<LatencySample[]> {
    const ends = this.endsById();
    const samples: Array<LatencySample & { at: number }> = [];
    for (const r of this.matching(q)) {
      const e = ends.get(r.id);
      if (e?.gatewayMs === undefined) continue;
      const at = r.startedAt.getTime();
      samples.push(e.upstreamFirstByteMs === undefined ? { at, gateway: e.gatewayMs } : { at, gateway: e.gatewayMs, upstream: e.upstreamFirstByteMs });
    }
    return samples.sort((a, b) => b.at - a.at).slice(0, limit);
  }

  private matching(q: UsageQueryBase): InterceptionRecord[] {
    const from = q.range?.from?.getTime();
    const to = q.range?.to?.getTime();
    const filters = filterEntries(q.filter);
    return this.records.interceptions.filter((r) => {
      const t = r.startedAt.getTime();
      if ((from !== undefined && t < from) || (to !== undefined && t >= to)) return false;
      return filters.every(([dim, v]) => dimensionOf(r, dim) === v);
    });
  }

  private keyOf(r: InterceptionRecord, by: UsageDimension | undefined, bucket: number | undefined) {
    const t = r.startedAt.getTime();
    return { key: by ? dimensionOf(r, by) : '', bucket: bucket ? Math.floor(t / bucket) * bucket : 0, model: r.model };
  }

  private endsById(): Map<string, InterceptionEndedRecord> {
    return new Map(this.records.interceptionEnds.map((e) => [e.id, e]));
  }
}

/** The list row of an interception; optional fields are left out when unknown, as the SQL stores do. */
export function summaryOf(r: InterceptionRecord, e: InterceptionEndedRecord | undefined): SummaryBase {
  const s: SummaryBase = {
    id: r.id, initiatorId: r.initiatorId, providerName: r.providerName, provider: r.provider, route: r.route, model: r.model,
    streaming: r.streaming, startedAt: r.startedAt, credentialKind: r.credentialKind,
  };
  if (r.client !== undefined) s.client = r.client;
  const hint = e?.credentialHint ?? r.credentialHint;
  if (hint !== undefined) s.credentialHint = hint;
  if (e) {
    s.endedAt = e.endedAt;
    s.status = e.status;
    if (e.httpStatus !== undefined) s.httpStatus = e.httpStatus;
    if (e.errorType !== undefined) s.errorType = e.errorType;
    if (e.attempts !== undefined) s.attempts = e.attempts;
  }
  return s;
}
