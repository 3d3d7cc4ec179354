/** The names the bridge's spans carry: span names and attribute keys (GenAI semantic conventions, then the bridge's own). */

/** The GenAI operation of every bridged API (chat completions, responses and messages are all `chat`). */
export const CHAT = 'chat';
export const EXECUTE_TOOL = 'execute_tool';
/** The loop iteration span's name (its number is an attribute: span names stay few). */
export const ITERATION_SPAN = 'aibridge.loop_iteration';

export const ATTR = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheWriteTokens: 'gen_ai.usage.cache_creation.input_tokens',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  errorType: 'error.type',
  httpStatus: 'http.response.status_code',
  httpMethod: 'http.request.method',
  httpRoute: 'http.route',
  interceptionId: 'aibridge.interception.id',
  actor: 'aibridge.actor.id',
  providerName: 'aibridge.provider',
  /** The model route a request came through (`routes`), when it did. */
  route: 'aibridge.route',
  api: 'aibridge.api',
  streaming: 'aibridge.streaming',
  client: 'aibridge.client',
  credentialKind: 'aibridge.credential.kind',
  credentialHint: 'aibridge.credential.hint',
  attempt: 'aibridge.attempt',
  attempts: 'aibridge.attempts',
  iteration: 'aibridge.loop.iteration',
  toolServer: 'aibridge.tool.server',
  toolInjected: 'aibridge.tool.injected',
} as const;

/** `gen_ai.provider.name` of a provider kind: the convention's well-known names where one applies, else the kind. */
export function genAiProvider(kind: string): string {
  return KIND_TO_PROVIDER[kind] ?? kind;
}

const KIND_TO_PROVIDER: Readonly<Record<string, string>> = { bedrock: 'aws.bedrock', azure: 'azure.ai.openai' };
