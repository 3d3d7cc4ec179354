/** createBridge options: the public type and one literal defaults object (validated into the config by bridge-config.ts). */
import type { Logger } from 'winston';
import type { ActorResolver } from './http/actor-types';
import type { KeyStateStore } from './keypool/types';
import type { ClientsOptions } from './observability/client-detector';
import type { BridgedProvider } from './providers/types';
import type { Recorder } from './recorder/types';
import type { ToolInjector } from './tools/types';
import type { OwnershipOptions } from './ownership/types';
import type { MetricsOptions } from './observability/metrics/types';
import type { LimitRule, LimitStoreOptions } from './governance/limits/limit-options';
import type { TracingOptions } from './observability/tracing/options';
import type { AuthorizeHook } from './pipeline/authorize';
import type { GuardHook, ResponseGuardHook } from './pipeline/guard';
import type { RecordContentOption } from './pipeline/record-content';
import type { DumpOptions } from './observability/dumps/dump-options';
import type { CircuitBreakerOptions } from './governance/circuit-breaker-options';
import type { ModelRoute } from './pipeline/model-routes/route-options';

export interface BridgeOptions {
  /** Upstream providers, from `openaiProvider()` / `anthropicProvider()`. Required; names must be unique. */
  providers: BridgedProvider[];
  /**
   * Model routes: each is mounted like a provider at `/{name}/…` and serves the bridged APIs of its providers, sending
   * each request to the provider its first matching rule names for the request's `model` (`claude-*` →
   * `['anthropic', 'bedrock']`), the next one only when the one before could not serve it before anything reached the
   * client (all keys cooling, circuit open, upstream unreachable). Routes use the providers' key pools only. Defaults
   * to none; see {@link ModelRoute}.
   */
  routes?: ModelRoute[];
  /** Identifies the host's user of a request; nothing returned → `401`. Required. */
  actor: ActorResolver;
  /** Where interceptions, token usage, prompts and tool calls are recorded. Defaults to none (nothing recorded). */
  recorder?: Recorder;
  /**
   * A winston logger. Defaults to a console logger at `warn` (JSON lines on stderr); pass `winston.createLogger({ silent: true })` to print nothing.
   * Lines about a request come from a `child()` of it with the request's fields; at `info` each request ends with one line,
   * at `debug` prompts and tool arguments are logged too (docs/observability.md, "Request logs").
   */
  logger?: Logger;
  /** Where key cooldowns live; share one (e.g. `RedisKeyStateStore`) across replicas. Defaults to process memory. */
  keyState?: KeyStateStore;
  /** Largest request body accepted, in bytes; larger → `413`. Defaults to 33,554,432 (32 MiB). */
  maxBodyBytes?: number;
  /**
   * Largest blocking (non-streamed) upstream answer relayed, in bytes; past it the upstream is aborted and the
   * client gets a provider-shaped `502`. Defaults to 67,108,864 (64 MiB).
   */
  maxResponseBytes?: number;
  /**
   * Extra request header names (case-insensitive) never forwarded upstream, e.g. the host's own auth header
   * (`x-user-token`). Added to the fixed list of the header rule. Defaults to `[]`.
   */
  dropHeaders?: string[];
  /** Deadline of one recorder call, in ms; a call that has not settled by then is counted as failed. Defaults to 10,000 ms. */
  recorderTimeoutMs?: number;
  /** Most recorder calls waiting or running at once; beyond it calls are dropped and counted. Defaults to 10,000. */
  recorderQueueMax?: number;
  /**
   * Most bytes of records waiting or running at once (approximate: their texts plus a small fixed size each); beyond
   * it calls are dropped, counted in `stats().recorderDropped` and logged. Bounds the memory a slow recorder can
   * make the bridge hold whatever size clients send. Defaults to 67,108,864 (64 MiB).
   */
  recorderQueueMaxBytes?: number;
  /**
   * Most UTF-8 bytes one record keeps of each text a client, an upstream or a tool sized: prompt, tool arguments
   * (serialised), model thought, error message, invocation error. Past it the text is cut on a character boundary,
   * ends with `…[truncated by express-aibridge: <n> bytes]`, and the record's `extra` keeps the original size
   * (`promptBytes`, `argsBytes`, …). At least 1,024. Defaults to 1,048,576 (1 MiB).
   */
  maxRecordedTextBytes?: number;
  /**
   * Centrally managed tools added to model requests and run by the bridge in an inner loop (`mcpToolInjector()`
   * or your own {@link ToolInjector}). Defaults to none: requests are relayed as they are.
   */
  tools?: ToolInjector;
  /** While an injected tool runs, a streamed answer gets an SSE comment line this often, in ms. Defaults to 5,000 ms. */
  streamKeepAliveMs?: number;
  /**
   * Most injected tools offered on one request: the first ones by shown name are kept, and what is left out is
   * logged once per tool set. Fewer are offered when the client's own tools and the injected ones would pass 128
   * (OpenAI's limit). Defaults to 64.
   */
  maxInjectedTools?: number;
  /**
   * Largest text of one injected tool result given to the model, in UTF-8 bytes; a longer result is cut on a
   * character boundary and ends with a note the model can read. Defaults to 1,048,576 (1 MiB).
   */
  maxToolResultBytes?: number;
  /**
   * Most text a stream observer keeps for one interception (tool-call arguments, thinking and reasoning, output
   * items), in characters; past it the upstream is cut and the client gets one `accumulation_limit` error event.
   * Defaults to 16,777,216 (16 MiB).
   */
  maxAccumulatedBytes?: number;
  /**
   * Who owns the responses and conversations created through the bridge with a pool key: another actor naming
   * one gets the provider's `404`. Defaults to `{ store: <memory, or Redis when keyState is a RedisKeyStateStore>,
   * unknownIds: 'refuse' }`; see {@link OwnershipOptions}.
   */
  ownership?: OwnershipOptions;
  /**
   * How the AI client behind a request (recorded as `client`) and its session (`clientSessionId`) are recognised:
   * `extra` rules are tried before the built-in table (`DEFAULT_CLIENT_RULES`: Claude Code, Codex, Kilo Code, Roo Code,
   * Cline, opencode, Copilot, Crush, Zed, Junie, Cursor, the Vercel AI SDK, LangChain, LlamaIndex, the official SDKs).
   * Defaults to `{ extra: [] }`.
   */
  clients?: ClientsOptions;
  /**
   * Prometheus metrics through prom-client (an optional peer dependency, loaded only when this is set):
   * `{ registry?, prefix?, maxModels?, actorLabel? }`; serve them with `metricsHandler(registry)`. Defaults to
   * none (no metrics, prom-client not loaded); see {@link MetricsOptions}.
   */
  metrics?: MetricsOptions;
  /**
   * Rate limits and budgets per actor or group, optionally per model: requests per window, requests in flight,
   * tokens per window and spend per period. A request over one gets the provider's `429` (`Retry-After` and its
   * rate-limit headers) before any upstream call; a budget that runs out ends a tool loop with the answer so far.
   * `bridge.usageOf(actor)` tells each subject's standing. Defaults to none; see {@link LimitRule}.
   */
  limits?: LimitRule[];
  /**
   * Where the `limits` count: `{ redis, prefix?, failOpen? }` shares the counters with every replica given the same
   * Redis. Defaults to process memory (each replica counts alone); see {@link LimitStoreOptions}.
   */
  limitStore?: LimitStoreOptions;
  /**
   * OpenTelemetry traces through `@opentelemetry/api` (an optional peer dependency, loaded only when this is set): a
   * span per interception, upstream attempt, loop iteration, injected tool call and passthrough call, under the host's
   * active context. `true` uses the globally registered tracer provider; `{ tracerProvider }` names one. Defaults to
   * false (no spans, the API not loaded); see {@link TracingOptions}.
   */
  tracing?: boolean | TracingOptions;
  /**
   * Whether every answer of a bridged or passthrough route carries `Server-Timing: gateway;dur=…, upstream;dur=…`:
   * the gateway's own time to the head apart from the upstream's time to its head (ms). Defaults to `true`.
   */
  serverTiming?: boolean;
  /**
   * Decides, before any upstream call or key use, whether a request may go on: `(ctx) => true | false |
   * { allow, reason? }`, sync or async (a sync answer is not awaited). `ctx` is `{ kind, interception, req }`: for a
   * bridged request `interception` is `{ id, actor, providerName, api, model, streaming, client, route, routedBy? }`, for a
   * passthrough one `{ actor, providerName, method, route, path }` (see `AuthorizeContext`). A refusal is the
   * provider's `403` with the reason, recorded (`errorType: 'denied'`, `errorCode: 'forbidden'`) and counted; a hook
   * that throws or misses `authorizeTimeoutMs` is a `500` (fail closed). Defaults to none: every request is allowed.
   */
  authorize?: AuthorizeHook;
  /** How long an async `authorize` may take, in ms; past it the request is refused with a `500`. Defaults to 5,000 ms. */
  authorizeTimeoutMs?: number;
  /**
   * Most requests in flight at once (bridged and passthrough together); past it the provider's `503` ("at capacity",
   * `Retry-After: 1`), counted in `stats()` and recorded. Requests already admitted are never disturbed. Defaults to
   * none (no bound).
   */
  maxConcurrent?: number;
  /** Most requests in flight at once for one actor, refused the same way past it. Defaults to none (no bound). */
  maxConcurrentPerActor?: number;
  /**
   * API dumps, for debugging: the request and response of every upstream attempt (failovers and tool-loop calls
   * included, bridged and passthrough), redacted, written as they stream to `<dir>/<interception id>/NNN-attempt.http`:
   * `{ dir, maxFileBytes?, maxTotalBytes? }`. Defaults to none (nothing written); see {@link DumpOptions}.
   */
  dump?: DumpOptions;
  /**
   * A circuit breaker per provider + API + model: after `failures` upstream failures (503, 504, 529, connection
   * errors, timeouts; not 429 nor other 4xx) within `windowMs`, requests get the provider's `503` with `Retry-After`
   * and are not sent; after `openMs` one probe request passes, and its outcome closes or reopens the circuit. `true`
   * takes the defaults; see {@link CircuitBreakerOptions}. Defaults to off.
   */
  circuitBreaker?: boolean | CircuitBreakerOptions;
  /**
   * Guardrails: reads each bridged request (after `authorize`, before any key use) and answers `true` or nothing to
   * let it go on, `{ block: reason }` to refuse it (the provider's `400` with the reason, recorded as `errorType:
   * 'denied'`, `errorCode: 'guard_blocked'`), or `{ edit: body }` to send another body (a Buffer, a string or an
   * object; checked again like the client's; the end record's `guardEdits` says `request`). Sync or async (a sync
   * answer is not awaited); `ctx` is `{ interception, request: { body, json }, req }`. A guard that throws or misses
   * `guardTimeoutMs` is a `500` (fail closed). Defaults to none: requests are sent as they came.
   */
  guard?: GuardHook;
  /**
   * Guardrails on blocking (non-streamed) answers of status 200: `ctx` is the guard's plus `response: { status, body,
   * json }`; `{ block: reason }` answers a `502` (`guard_blocked`) instead, `{ edit: body }` relays `body` instead.
   * Streamed answers are not read. Defaults to none.
   */
  responseGuard?: ResponseGuardHook;
  /** How long an async `guard` or `responseGuard` may take, in ms; past it the request is refused with a `500`. Defaults to 5,000 ms. */
  guardTimeoutMs?: number;
  /**
   * What the records keep of prompts, tool arguments, tool errors (results) and model thoughts: `'full'` (as they
   * came), `'redacted'` (e-mail addresses and key-looking strings masked, as `maskSecretsAndEmails` does), `'hashed'`
   * (`sha256:<hex>`, an HMAC-SHA-256 keyed with `recordContentSalt`, and the original size in `extra`: `promptBytes`,
   * `argsBytes`, …) or `'none'` (an empty text and its size). Or a sync function `(ctx) => mode` of the interception
   * (`ctx` as the guard's, without the body); one that throws or answers no mode gives `'none'`. The mode is
   * recorded with each interception (`contentMode`). Defaults to none: everything is kept (`full`), and no mode is recorded.
   */
  recordContent?: RecordContentOption;
  /**
   * The key of `recordContent: 'hashed'` hashes: the same text hashes alike under the same salt (across restarts
   * and replicas when you set it). Defaults to random bytes drawn when the bridge is created (hashes then compare
   * only within one process's lifetime).
   */
  recordContentSalt?: string;
}

export const BRIDGE_DEFAULTS = {
  maxBodyBytes: 32 * 1024 * 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  dropHeaders: [] as string[],
  recorderTimeoutMs: 10_000,
  recorderQueueMax: 10_000,
  recorderQueueMaxBytes: 64 * 1024 * 1024,
  maxRecordedTextBytes: 1024 * 1024,
  streamKeepAliveMs: 5_000,
  maxInjectedTools: 64,
  maxToolResultBytes: 1024 * 1024,
  maxAccumulatedBytes: 16 * 1024 * 1024,
  serverTiming: true,
  authorizeTimeoutMs: 5_000,
  guardTimeoutMs: 5_000,
};
