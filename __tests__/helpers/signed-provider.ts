/**
 * A provider written against the public API only: it signs each attempt (HMAC-SHA256 over method, path, body and a
 * timestamp, with the pool key as the secret: the key itself never goes upstream), maps its routes to upstream paths
 * naming the model, and decodes its upstream's binary framing and error shape into each API's own.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  GatewayError, chatCompletionsApi, decodedStream, failureClassifier, messagesApi, openaiAdapter, passthroughRule, rewrittenBody,
  type BridgedProvider, type ErrorType, type OutgoingRequest, type RequestHookContext, type ResponseDecoder,
} from '../../lib';
import { framesToSse } from './signed-frames';

export const FRAMES_TYPE = 'application/vnd.signed-frames';

/** The key's public name upstream: a fingerprint, so that only the signature proves the key. */
export function keyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The string a signature covers. */
export function signedString(method: string, path: string, date: string, body: Buffer): string {
  return `${method}\n${path}\n${date}\n${createHash('sha256').update(body).digest('hex')}`;
}

export function signature(secret: string, method: string, path: string, date: string, body: Buffer): string {
  return createHmac('sha256', secret).update(signedString(method, path, date, body)).digest('hex');
}

/** What the request hook saw, per attempt. */
export interface HookCall {
  method: string;
  path: string;
  keyId: string;
  now: Date;
  api: string | undefined;
}

export interface SignedProviderOptions {
  baseURL: string;
  keys: string[];
  name?: string;
  /** Signs with this secret instead of the attempt's key (a provider that signs wrong). */
  wrongSecret?: string;
}

const FAULT_TYPES: Record<number, ErrorType> = { 401: 'unauthorized', 403: 'unauthorized', 429: 'rate_limited' };

/** `{"fault":{"kind","detail"}}` → the API's error body, with the upstream's status. */
function faultToApiError(status: number, body: Buffer, errors: { errorBody(e: GatewayError): string }): string {
  let fault: { kind?: unknown; detail?: unknown } | undefined;
  try {
    fault = (JSON.parse(body.toString('utf8')) as { fault?: typeof fault }).fault;
  } catch {
    fault = undefined;
  }
  const message = typeof fault?.detail === 'string' ? fault.detail : 'The upstream refused the request.';
  const code = typeof fault?.kind === 'string' ? fault.kind : 'upstream_error';
  return errors.errorBody(new GatewayError({ status, errorType: FAULT_TYPES[status] ?? (status >= 500 ? 'server_error' : 'bad_request'), code, message }));
}

const decodeResponse: ResponseDecoder = (response, { api }) => {
  const type = String(response.headers['content-type'] ?? '');
  if (response.status === 200 && type.startsWith(FRAMES_TYPE)) return decodedStream(response, framesToSse);
  if (response.status >= 400 && type.startsWith('application/json')) return rewrittenBody(response, (body) => faultToApiError(response.status, body, api.errors));
  return response;
};

/** The signed provider: OpenAI chat completions and Anthropic messages on one upstream, `kind: 'signed'`. */
export function signedProvider(options: SignedProviderOptions): BridgedProvider & { hookCalls: HookCall[] } {
  const hookCalls: HookCall[] = [];
  const base = openaiAdapter({
    name: options.name ?? 'signed', baseURL: options.baseURL, keys: options.keys,
    passthrough: () => [passthroughRule(['GET'], '/v1/models'), passthroughRule(['POST'], '/v1/messages/count_tokens')],
  });
  function prepareRequest(req: OutgoingRequest, ctx: RequestHookContext): OutgoingRequest {
    const date = ctx.now.toISOString();
    const secret = ctx.credential.upstream.type === 'key' ? ctx.credential.upstream.key : ctx.credential.upstream.secretAccessKey;
    const id = keyId(secret);
    hookCalls.push({ method: req.method, path: req.path, keyId: id, now: ctx.now, api: ctx.api?.name });
    const pathAndQuery = req.query === '' ? req.path : `${req.path}?${req.query}`;
    req.headers['x-signed-date'] = date;
    req.headers['x-signed-key'] = id;
    req.headers['x-signed-signature'] = signature(options.wrongSecret ?? secret, req.method, pathAndQuery, date, req.body);
    return req;
  }
  return {
    ...base,
    kind: 'signed',
    routePrefixInBaseURL: '',
    credentialHeaders: () => ({}),
    clientCredential: () => undefined,
    classifyFailure: failureClassifier([]),
    prepareRequest,
    upstreamPath: ({ api, call }) => `/model/${encodeURIComponent(call.model)}/${api.name === 'messages' ? 'messages' : 'chat'}`,
    decodeResponse,
    apis: [chatCompletionsApi, messagesApi],
    hookCalls,
  };
}
