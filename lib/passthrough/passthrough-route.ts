/** What every passthrough call to one provider shares, worked out once when the bridge is created. */
import type { IncomingHttpHeaders } from 'node:http';
import type { BridgeRuntime, ProviderRuntime } from '../pipeline/runtime';
import { createHeaderRule } from '../http/header-rule';
import { totalDeadlineError } from '../http/attempt-deadline';
import { UpstreamProxy } from './upstream-proxy';

export class PassthroughRoute {
  readonly adapter: ProviderRuntime['adapter'];
  readonly headerRule: ReturnType<typeof createHeaderRule>;
  readonly defaultHeaders: Array<[string, string]>;
  /** A client leaving while its request waits for a credential (a token exchange) ends the wait: nothing goes upstream. */
  readonly needsSignal: boolean;
  readonly proxy: UpstreamProxy;

  constructor(readonly provider: ProviderRuntime, readonly bridge: BridgeRuntime) {
    const { adapter, client, keys } = provider;
    this.adapter = adapter;
    this.headerRule = createHeaderRule(bridge.dropHeaders);
    this.defaultHeaders = Object.entries(adapter.defaultHeaders ?? {});
    this.needsSignal = !!adapter.prepareRequest || keys.pool.mayWaitForCredentials;
    this.proxy = new UpstreamProxy({ origin: new URL(client.origin), timeouts: adapter.timeouts, totalTimeout: totalDeadlineError(adapter.timeouts.totalMs) });
  }

  /** The client's name (Claude Code, Codex, …) for the call's log fields. */
  readonly clientOf = (headers: IncomingHttpHeaders): string | undefined => this.bridge.clients.detect(headers).client;
}
