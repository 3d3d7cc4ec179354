/** What the request handlers share: built once by createBridge, read on every request. */
import type { Logger } from 'winston';
import type { ActorResolver } from './intercept/actor';
import type { KeyRedactor } from './keypool/key-redactor';
import type { KeyRouting } from './keypool/key-routing';
import type { ProviderAdapter } from './providers/types';
import type { SafeRecorder } from './recorder/safe-recorder';
import type { UpstreamClient } from './upstream/upstream-client';
import type { ProviderCounters } from './observability/counters';
import type { ToolInjector } from './tools/types';

/** Counts requests in flight so that `close()` can wait for them. */
export class InflightRequests {
  private count = 0;
  private idle: Array<() => void> = [];
  closing = false;

  enter(): () => void {
    this.count++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.count === 0) for (const wake of this.idle.splice(0)) wake();
    };
  }

  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}

export interface BridgeRuntime {
  readonly logger: Logger;
  readonly recorder: SafeRecorder;
  readonly actor: ActorResolver;
  readonly maxBodyBytes: number;
  readonly maxResponseBytes: number;
  /** Host header names never forwarded (lower-cased), on top of the fixed rule. */
  readonly dropHeaders: readonly string[];
  readonly inflight: InflightRequests;
  /** Injected tools, when the host configured any. */
  readonly tools: ToolInjector | undefined;
  readonly streamKeepAliveMs: number;
}

export interface ProviderRuntime {
  readonly adapter: ProviderAdapter;
  readonly client: UpstreamClient;
  readonly keys: KeyRouting;
  readonly counters: ProviderCounters;
  /** Replaces this provider's pool keys with their hints in upstream error text (built once from its keys). */
  readonly redactor: KeyRedactor;
}
