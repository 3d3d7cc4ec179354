/** A UsageQuery in front of a real store that notes each call and can be told to fail, so tests can see what the dashboard asked. */
import type {
  InterceptionDetail, InterceptionSummary, OverheadStats, Page, TimeBucket, ToolStat, UsageDimension, UsageGroup, UsagePoint, UsageQuery,
  UsageQueryBase, UsageTotals,
} from '../../lib/recorder/usage-query';

export class SpyUsageQuery implements UsageQuery {
  readonly calls: Array<{ method: string; args: unknown }> = [];
  /** When set, every call rejects with it (after being noted): a store that is down. */
  failWith?: Error;

  constructor(readonly store: UsageQuery) {}

  private async call<T>(method: string, args: unknown, run: () => Promise<T>): Promise<T> {
    this.calls.push({ method, args });
    if (this.failWith) throw this.failWith;
    return run();
  }

  totals(q?: UsageQueryBase): Promise<UsageTotals> {
    return this.call('totals', q, () => this.store.totals(q));
  }

  groupBy(q: UsageQueryBase & { by: UsageDimension; limit?: number }): Promise<UsageGroup[]> {
    return this.call('groupBy', q, () => this.store.groupBy(q));
  }

  timeSeries(q: UsageQueryBase & { bucket: TimeBucket; by?: UsageDimension }): Promise<UsagePoint[]> {
    return this.call('timeSeries', q, () => this.store.timeSeries(q));
  }

  topTools(q?: UsageQueryBase & { limit?: number }): Promise<ToolStat[]> {
    return this.call('topTools', q, () => this.store.topTools(q));
  }

  recentInterceptions(q?: UsageQueryBase & { limit?: number; cursor?: string }): Promise<Page<InterceptionSummary>> {
    return this.call('recentInterceptions', q, () => this.store.recentInterceptions(q));
  }

  interception(id: string): Promise<InterceptionDetail | undefined> {
    return this.call('interception', id, () => this.store.interception(id));
  }

  overhead(q?: UsageQueryBase): Promise<OverheadStats> {
    return this.call('overhead', q, () => this.store.overhead!(q));
  }
}
