/** `bedrockProvider()`: Claude on Amazon Bedrock, spoken to as Anthropic Messages at `/{name}/v1/messages`. */
import { messagesApi } from '../../apis/anthropic-messages/messages-api';
import { anthropicErrors } from '../../apis/anthropic-messages/anthropic-errors';
import { OptionsError, isPlainObject } from '../../options-check';
import type { UpstreamCredential } from '../../keypool/credentials';
import { decodedStream, rewrittenBody } from '../response-decoding';
import { normalizeProviderOptions } from '../provider-options';
import { passthroughAllowlist } from '../passthrough-allowlist';
import type { OutgoingRequest, RequestHookContext, ResponseDecoder } from '../provider-hooks';
import type { BridgedProvider } from '../types';
import { bedrockBetas, bedrockBody, isDroppedHeader } from './bedrock-body';
import { apiKeyCredentials, signingCredentials } from './bedrock-credentials';
import { bedrockException, bedrockMessage, classifyBedrockFailure, errorTypeHeader } from './bedrock-errors';
import { EVENT_STREAM_TYPE, eventStreamToSse } from './bedrock-event-stream';
import { firstFrameFailure } from './bedrock-first-frame';
import { invokeSegments, modelMapping } from './bedrock-models';
import { BEDROCK_DEFAULTS, BEDROCK_OWNER, bedrockSettings, type BedrockProviderOptions } from './bedrock-options';
import { requestSigner } from './bedrock-signing';

export type { AwsCredentials, BedrockProviderOptions } from './bedrock-options';

const APIS = [messagesApi];
/** Largest Bedrock error body read to rewrite it: error bodies are a short message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** A Bedrock error body (`{"message"}`, its exception in `x-amzn-errortype`) as an Anthropic error body; status kept. */
const decodeResponse: ResponseDecoder = (response, { api }) => {
  const type = String(response.headers['content-type'] ?? '');
  if (response.status === 200 && type.startsWith(EVENT_STREAM_TYPE)) return decodedStream(response, eventStreamToSse);
  if (response.status < 400) return response;
  const exception = errorTypeHeader(response.headers);
  return rewrittenBody(response, (body) => {
    const error = bedrockException(exception, bedrockMessage(body, `Bedrock answered ${response.status}.`), response.status);
    return api.errors.errorBody(error);
  }, MAX_ERROR_BODY_BYTES);
};

const THROTTLED: ReadonlySet<number> = new Set([429]);

/**
 * Claude on Amazon Bedrock. Clients speak Anthropic Messages to `<mount>/<name>` (the Anthropic SDK, Claude Code);
 * each call goes to Bedrock's `InvokeModel` or `InvokeModelWithResponseStream` for the mapped model, signed with SigV4
 * at its own time (or with a Bedrock API key), its body as Bedrock takes it, its answer turned back into Anthropic's
 * (the event stream into SSE, errors into Anthropic error bodies). There is no BYOK: the pool's credentials are used.
 */
export function bedrockProvider(options: BedrockProviderOptions): BridgedProvider {
  if (!isPlainObject(options)) throw new OptionsError(BEDROCK_OWNER, 'options', 'must be an object ({ region, … }).');
  const o = options as unknown as Record<string, unknown>;
  const settings = bedrockSettings(o);
  const credentials = settings.apiKeys !== undefined ? apiKeyCredentials(settings.apiKeys) : signingCredentials(settings);
  const common = {
    name: o.name, baseURL: settings.baseURL, credentials, actorHeaders: o.actorHeaders, timeouts: o.timeouts, cooldowns: o.cooldowns,
  };
  for (const key of Object.keys(common) as Array<keyof typeof common>) if (common[key] === undefined) delete common[key];
  const normalized = normalizeProviderOptions(BEDROCK_OWNER, common as never, { name: BEDROCK_DEFAULTS.name, baseURL: settings.baseURL }, [], ['key', 'signing']);
  const bedrockModel = modelMapping(settings);
  const sign = requestSigner(settings.region, normalized.baseURL);

  async function prepareRequest(request: OutgoingRequest, ctx: RequestHookContext): Promise<OutgoingRequest> {
    const headers = request.headers;
    if (ctx.api) {
      request.body = bedrockBody(request.body, bedrockBetas(headers['anthropic-beta']));
      // InvokeModel takes no query: a client's (Claude Code's `?beta=true`) stays here.
      request.query = '';
      headers['content-type'] = 'application/json';
      headers.accept = request.path.endsWith('/invoke-with-response-stream') ? EVENT_STREAM_TYPE : 'application/json';
    }
    for (const name of Object.keys(headers)) if (isDroppedHeader(name)) delete headers[name];
    const credential = ctx.credential.upstream;
    if (credential.type === 'key') headers.authorization = `Bearer ${credential.key}`;
    else await sign(request, credential, ctx.now);
    return request;
  }

  return {
    kind: 'bedrock',
    ...normalized,
    passthrough: passthroughAllowlist(BEDROCK_OWNER, o.passthrough, []),
    routePrefixInBaseURL: '',
    // Set by the request hook, after the header rule: a key as a bearer token, or a signature.
    credentialHeaders: (_credential: UpstreamCredential) => ({}),
    clientCredential: () => undefined,
    errorBody: anthropicErrors.errorBody,
    errorType: anthropicErrors.errorType,
    classifyFailure: classifyBedrockFailure,
    // Throttling is the account's and the region's quota: another credential seldom lifts it, so the breaker counts it.
    circuitFailureStatuses: THROTTLED,
    prepareRequest,
    upstreamPath: ({ call }) => invokeSegments(bedrockModel(call.model), call.streaming),
    upstreamModel: (call) => bedrockModel(call.model),
    decodeResponse,
    // A stream that opens with an exception (throttled after the 200) is that HTTP error: the key walk cools the credential.
    screenResponse: firstFrameFailure,
    apis: APIS,
  };
}
