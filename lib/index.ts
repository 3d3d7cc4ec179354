/** express-aibridge public API. */
export { createBridge } from './bridge';
export type { Bridge, BridgeStats, CloseOptions, ProviderKeyStatus } from './bridge';
export type { BridgeOptions } from './options';
export type { ModelRoute, ModelRouteRule } from './pipeline/model-routes/route-options';
export type { RouteCounters } from './pipeline/model-routes/model-route-handler';
export type { AuthorizeContext, AuthorizeHook, AuthorizeVerdict, BridgedAuthorization, PassthroughAuthorization } from './pipeline/authorize';
export type { CircuitBreakerOptions } from './governance/circuit-breaker-options';
export type { CircuitBreakerStatus } from './governance/circuit-breakers';
export type { GuardContext, GuardHook, GuardVerdict, GuardedRequest, ResponseGuardContext, ResponseGuardHook } from './pipeline/guard';
export type { ContentMode, RecordContentContext, RecordContentHook, RecordContentOption } from './pipeline/record-content';
export { maskSecretsAndEmails } from './redaction/mask-secrets';
export { openaiProvider } from './providers/openai-provider';
export type { OpenAIProviderOptions } from './providers/openai';
export type { ProviderAdapter, ProviderOptions, ProviderTimeouts, ProviderCooldowns } from './providers/types';
export type { ApiAdapter, StreamError } from './apis/api';
export type { BridgedProvider } from './providers/types';
export { openaiAdapter } from './providers/openai';
export { anthropicAdapter } from './providers/anthropic';
export { copilotProvider, COPILOT_HOSTS, type CopilotProviderOptions } from './providers/copilot/copilot-provider';
export { chatCompletionsApi } from './apis/openai-chat/chat-completions-api';
export { responsesApi } from './apis/openai-responses/responses-api';
export { responsesCompactApi, responsesInputTokensApi } from './apis/openai-responses/compact-api';
export { completionsApi } from './apis/openai-completions/completions-api';
export { embeddingsApi } from './apis/openai-embeddings/embeddings-api';
export { messagesApi } from './apis/anthropic-messages/messages-api';
export { openaiErrors } from './apis/openai-common/openai-errors';
export { anthropicErrors } from './apis/anthropic-messages/anthropic-errors';
export type { ErrorShape } from './apis/error-shape';
export type { RateLimitHeaders, RateLimitStanding } from './governance/limits/limit-refusal';
export type { ApiCall, StreamObserver } from './apis/api';
export { passthroughRule } from './providers/passthrough-rule';
export type { RuleOwnership } from './providers/passthrough-rule';
export type { PassthroughRule } from './providers/types';
export type { PassthroughOption, PassthroughRouteSpec } from './providers/types';
export type {
  OutgoingRequest, RequestHook, RequestHookContext, UpstreamPathMapping, UpstreamPathContext, ResponseDecoder, ResponseScreen, DecodeContext,
} from './providers/provider-hooks';
export { decodedBody, decodedStream, rewrittenBody, BAD_UPSTREAM_FRAMING } from './providers/response-decoding';
export type { BodyDecoder } from './providers/response-decoding';
export type { UpstreamResponse } from './http/upstream-client';
export type { Credential } from './keypool/key-pool';
export { classifyByStatus, errorFacts, failureClassifier } from './keypool/failure-table';
export type { FailureClass, FailureClassifier, FailureRule, ErrorFacts } from './keypool/failure-table';
export { classifyOpenAIFailure } from './providers/openai-failures';
export { classifyAnthropicFailure } from './providers/anthropic-failures';
export { GatewayError } from './errors';
export { MAX_EVENT_BYTES } from './streaming/event-stream';
export type { Actor, ActorResolver } from './http/actor';
export { MemoryRecorder } from './recorder/memory-recorder';
export type { MemoryRecorderOptions } from './recorder/memory-recorder';
export type {
  Recorder, InterceptionRecord, InterceptionEndedRecord, TokenUsageRecord, PromptUsageRecord, ToolUsageRecord,
  ModelThoughtRecord, ErrorType, CredentialKind, ProviderKind,
} from './recorder/types';
export { MemoryKeyStateStore } from './keypool/memory-key-state-store';
export { RedisKeyStateStore } from './keypool/redis-key-state-store';
export { MemoryOwnershipStore } from './ownership/memory-ownership-store';
export type { MemoryOwnershipStoreOptions } from './ownership/memory-ownership-store';
export { RedisOwnershipStore } from './ownership/redis-ownership-store';
export type { RedisOwnershipStoreOptions } from './ownership/redis-ownership-store';
export type { OwnershipStore, OwnershipOptions, OwnershipEntry, Ownership, OwnedRef, OwnedKind, UnknownIdPolicy } from './ownership/types';
export type { RedisKeyStateStoreOptions } from './keypool/redis-key-state-store';
export type { KeyStateStore, KeyStateSource, KeyCooldown, CooldownReason } from './keypool/types';
export type { KeyStatus } from './keypool/key-pool';
export type { ProviderCounters } from './observability/counters';
export { DEFAULT_CLIENT_RULES, claudeCodeSessionFromBody } from './observability/clients';
export type { ClientRule, SessionFromBody } from './observability/clients';
export type { ClientsOptions } from './observability/client-detector';
export { metricsHandler } from './observability/metrics/handler';
export type { MetricsOptions, MetricsRegistry, ToolServerHealth, ToolHealthSource } from './observability/metrics/types';
export type { LimitRule, LimitWindow, SpendBudget, LimitStoreOptions } from './governance/limits/limit-options';
export type { LimitUsage, LimitStats } from './governance/limits/limits';
export type { TracingOptions } from './observability/tracing/options';
export type { TracerProviderLike } from './observability/tracing/otel-api';
export type { DumpOptions } from './observability/dumps/dump-options';
export { maskKey } from './redaction/key-mask';
export { staticKey, signingCredential, staticCredentials } from './keypool/credentials';
export type { CredentialEntry, CredentialSource, KeyCredential, SigningCredential, UpstreamCredential } from './keypool/credentials';
export { refreshingCredentials } from './providers/refreshing-credentials';
export type { RefreshingCredentialsOptions, ExchangedToken } from './providers/refreshing-credentials';
export { mcpToolInjector } from './tools/mcp';
export type { McpToolInjector } from './tools/mcp-tool-injector';
export type { McpToolInjectorStatus, McpServerStatus, McpServerState } from './tools/mcp-status';
export type {
  McpToolInjectorOptions, McpServerConfig, McpHttpServerConfig, McpStdioServerConfig, McpHeadersFunction, McpHeadersContext, McpToolPolicy, McpToolRef, McpInjectWhen,
} from './tools/mcp-options';
export type {
  ToolInjector, ToolInjectorAttachContext, ToolContext, ToolCall, InjectedTool, ToolCallResult, ToolContentBlock, JSONSchema, JsonValue,
} from './tools/types';
export { anthropicProvider } from './providers/anthropic-provider';
export { openaiCompatibleProvider, type OpenAICompatibleProviderOptions, type AzureOptions } from './providers/openai-compatible/openai-compatible-provider';
export { bedrockProvider, type BedrockProviderOptions, type AwsCredentials } from './providers/bedrock/bedrock-provider';
export { anthropicErrorTypeFor, anthropicErrorTypeForStatus } from './providers/anthropic';
export type { AnthropicProviderOptions } from './providers/anthropic';
export type { ClientCredential } from './providers/types';
export { createDashboard } from './dashboard/create-dashboard';
export type { DashboardOptions, DashboardBridge } from './dashboard/dashboard-options';
export { SqliteRecorder } from './recorder/sqlite-recorder';
export type { SqliteRecorderOptions } from './recorder/sqlite-recorder';
export { PostgresRecorder } from './recorder/postgres-recorder';
export type { PostgresRecorderOptions, PgPool } from './recorder/postgres-recorder';
export type { SqlRecorderOptions } from './recorder/sql-recorder';
export type { BatchWriterOptions, WriterStats } from './recorder/batch-writer';
export { DEFAULT_PRICES, PRICES_AS_OF } from './recorder/prices';
export { InvalidCursorError } from './recorder/query-engine';
export type { ModelPrice, PriceTable, PricingOptions } from './recorder/prices';
export type { PassthroughRecord, UpstreamAttempt } from './recorder/types';
export type {
  UsageQuery, UsageQueryBase, UsageTotals, UsageGroup, UsagePoint, UsageFilter, UsageDimension, TimeRange, TimeBucket, CostEstimate,
  ToolStat, InterceptionSummary, InterceptionDetail, Page, OverheadStats, LatencyPercentiles,
} from './recorder/usage-query';
