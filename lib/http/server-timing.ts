/** The gateway's own time apart from the upstream's, measured to the head of an answer and sent as `Server-Timing`. */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

const TIMING = Symbol('aibridge.timing');

/** Where the upstream wait of a request adds up (the key walk's trace: every attempt adds its time to the answer's head). */
export interface UpstreamWait {
  readonly upstreamMs?: number;
}

/**
 * One request's timing, from its arrival at the handler to the head of its answer. Upstream time is the sum of every
 * upstream attempt made before the head (failovers and the tool loop's earlier calls included), each from sending to
 * the upstream answer's head; gateway time is the rest. Waiting for an upstream is never counted as overhead.
 */
export class RequestTiming {
  private readonly arrivedAt = performance.now();
  /** The gateway's own time to the head (ms), once the head was written. */
  gatewayMs: number | undefined;
  /** The upstream's time to its head (ms), once the head was written; undefined when no upstream was called. */
  upstreamMs: number | undefined;

  constructor(private readonly wait: UpstreamWait, private readonly header: boolean) {}

  /** Notes the times at the head of `res` and, when the header is on, sets it. The last head written wins (an error replacing one). */
  stamp(res: ServerResponse): void {
    const total = performance.now() - this.arrivedAt;
    const upstream = this.wait.upstreamMs;
    this.upstreamMs = upstream === undefined ? undefined : hundredths(Math.min(upstream, total));
    this.gatewayMs = hundredths(Math.max(0, total - (upstream ?? 0)));
    if (!this.header) return;
    res.setHeader('server-timing', this.upstreamMs === undefined
      ? `gateway;dur=${this.gatewayMs}`
      : `gateway;dur=${this.gatewayMs}, upstream;dur=${this.upstreamMs}`);
  }
}

function hundredths(ms: number): number {
  return Math.round(ms * 100) / 100;
}

type Timed = ServerResponse & { [TIMING]?: RequestTiming };

/**
 * Starts timing the answer `res` will carry: `header` says whether it gets `Server-Timing`, a recorder may want the
 * numbers without it. Nothing is timed for a response this was not called for.
 */
export function startTiming(res: ServerResponse, wait: UpstreamWait, header: boolean): RequestTiming {
  const timing = new RequestTiming(wait, header);
  (res as Timed)[TIMING] = timing;
  return timing;
}

/** Called where a bridged or passthrough head is written, just before it is: notes the times (and sets the header) unless the head is already out. */
export function stampServerTiming(res: ServerResponse): void {
  const timing = (res as Timed)[TIMING];
  if (timing === undefined || res.headersSent) return;
  try {
    timing.stamp(res);
  } catch {
    // Observability never changes the answer: a head that cannot take the header goes without it.
  }
}
