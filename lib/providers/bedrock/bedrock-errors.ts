/** Bedrock's errors (`{"message"}` with `x-amzn-errortype`, or a stream's exception) in Anthropic's shapes; which refusals are the credential's. */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, type ErrorType } from '../../errors';
import { failureClassifier, type FailureRule } from '../../keypool/failure-table';

/** What one Bedrock exception means: the status its Anthropic error type is chosen by, and the recorded error type. */
interface ExceptionMeaning {
  status: number;
  errorType: ErrorType;
}

/**
 * Bedrock's exceptions by name (lower-cased; streams say `throttlingException`, headers `ThrottlingException`). The
 * status picks Anthropic's `error.type`: 429 `rate_limit_error`, 400 `invalid_request_error`, 403 `permission_error`,
 * 404 `not_found_error`, 503 `overloaded_error`, other 5xx `api_error`.
 */
const EXCEPTIONS: Record<string, ExceptionMeaning> = {
  throttlingexception: { status: 429, errorType: 'rate_limited' },
  servicequotaexceededexception: { status: 429, errorType: 'rate_limited' },
  modelnotreadyexception: { status: 429, errorType: 'rate_limited' },
  validationexception: { status: 400, errorType: 'bad_request' },
  accessdeniedexception: { status: 403, errorType: 'unauthorized' },
  unrecognizedclientexception: { status: 403, errorType: 'unauthorized' },
  resourcenotfoundexception: { status: 404, errorType: 'bad_request' },
  serviceunavailableexception: { status: 503, errorType: 'overloaded' },
  modeltimeoutexception: { status: 504, errorType: 'timeout' },
  modelstreamerrorexception: { status: 500, errorType: 'server_error' },
  modelerrorexception: { status: 500, errorType: 'server_error' },
  internalserverexception: { status: 500, errorType: 'server_error' },
};

const MAX_MESSAGE_CHARS = 4096;

/** The exception name of an `x-amzn-errortype` header (`ThrottlingException:http://internal.amazon.com/…`), lower-cased. */
export function errorTypeHeader(headers: IncomingHttpHeaders): string {
  const v = headers['x-amzn-errortype'];
  const s = typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
  return s.split(':')[0].trim().toLowerCase();
}

/** The `message` (or `Message`) of a Bedrock error body, cut to a sane length; `fallback` when there is none. */
export function bedrockMessage(body: Buffer | string, fallback: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    return fallback;
  }
  const m = parsed && typeof parsed === 'object' ? ((parsed as { message?: unknown }).message ?? (parsed as { Message?: unknown }).Message) : undefined;
  return typeof m === 'string' && m !== '' ? m.slice(0, MAX_MESSAGE_CHARS) : fallback;
}

/** A Bedrock exception as the gateway error the client is told (its status decides the Anthropic `error.type`). */
export function bedrockException(name: string, message: string, status?: number): GatewayError {
  const known = EXCEPTIONS[name.toLowerCase()];
  const errorType: ErrorType = known?.errorType ?? (status === undefined || status >= 500 ? 'server_error' : 'bad_request');
  return new GatewayError({ status: known?.status ?? status ?? 500, errorType, code: name === '' ? 'upstream_error' : name, message });
}

// The credential itself was refused (a wrong or expired key or token, a bad signature): cool it and try the next.
const CREDENTIAL_REFUSED = new Set([
  'unrecognizedclientexception', 'invalidsignatureexception', 'expiredtokenexception', 'incompletesignatureexception',
  'missingauthenticationtokenexception', 'invalidclienttokenid',
]);
const CREDENTIAL_WORDING = /security token included in the request is (?:invalid|expired)|signature we calculated does not match|invalid api key|api key is (?:invalid|expired)/i;

/** In order: the first matching row decides; other 403s (access to a model) are relayed, 429s are the credential's. */
export const BEDROCK_FAILURES: readonly FailureRule[] = [
  {
    statuses: [403], class: 'key_failure',
    example: 'UnrecognizedClientException: The security token included in the request is invalid.',
    matches: (f) => CREDENTIAL_REFUSED.has(errorTypeHeader(f.headers)) || CREDENTIAL_WORDING.test(f.message),
  },
  // Key failures by default: ThrottlingException "Too many requests, please wait before trying again." (429). A request
  // too large for its model is a 400 ValidationException ("Input is too long for requested model."), relayed by status.
];

export const classifyBedrockFailure = failureClassifier(BEDROCK_FAILURES);
