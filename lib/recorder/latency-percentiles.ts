/** Latency percentiles of recorded answers (the gateway's own time next to the upstream's), the same for every store. */
import type { LatencyPercentiles, OverheadStats } from './usage-query';

/** The newest timed interceptions an overhead query reads: enough for stable percentiles, bounded in memory and time. */
export const OVERHEAD_SAMPLE_CAP = 10_000;

/** One interception's times to the head of its answer (ms); `upstream` absent when no upstream was called. */
export interface LatencySample {
  gateway: number;
  upstream?: number;
}

/** The nearest-rank percentile `p` (0–100) of `sorted` (ascending, not empty). */
function rank(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function percentiles(values: number[]): LatencyPercentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = values.sort((a, b) => a - b);
  return { p50: rank(sorted, 50), p90: rank(sorted, 90), p99: rank(sorted, 99) };
}

/** p50/p90/p99 of the gateway's time and of the upstream's time to first byte over `samples`. */
export function overheadOf(samples: readonly LatencySample[]): OverheadStats {
  const gateway: number[] = [];
  const upstream: number[] = [];
  for (const s of samples) {
    gateway.push(s.gateway);
    if (s.upstream !== undefined) upstream.push(s.upstream);
  }
  const stats: OverheadStats = { samples: samples.length };
  const g = percentiles(gateway);
  const u = percentiles(upstream);
  if (g) stats.gatewayMs = g;
  if (u) stats.upstreamFirstByteMs = u;
  return stats;
}
