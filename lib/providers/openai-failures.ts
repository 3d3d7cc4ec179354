/** OpenAI's error wording the key pool classifies (see FailureClass): which refusals are the request's, not the key's. */
import { failureClassifier, type FailureRule } from '../keypool/failure-table';

// "…on tokens per min (TPM): Limit 30000, Used 100, Requested 52000." (also TPD, RPM, images…).
const LIMIT_REQUESTED = /Limit ([\d,]+), (?:Used ([\d,]+), )?Requested ([\d,]+)/;
const num = (s: string): number => Number(s.replace(/,/g, ''));

/** True when the request alone asks for more than the whole limit: waiting or another key of the same tier would not help. */
function requestedOverLimit(message: string): boolean {
  const m = LIMIT_REQUESTED.exec(message);
  return m !== null && num(m[3]) > num(m[1]);
}

/** In order: the first matching row decides. Unmatched 429 and 401 are key failures; unmatched 403s are relayed. */
export const OPENAI_FAILURES: readonly FailureRule[] = [
  {
    // Before every request-fault row: an account without quota fails every request, whatever its size.
    statuses: [429], class: 'key_failure',
    example: 'You exceeded your current quota, please check your plan and billing details. (code insufficient_quota)',
    matches: (f) => f.code === 'insufficient_quota' || f.type === 'insufficient_quota' || /exceeded your current quota/i.test(f.message),
  },
  {
    statuses: [429], class: 'request_fault',
    example: 'Request too large for gpt-4o in organization org-… on tokens per min (TPM): Limit 30000, Requested 52000.',
    matches: (f) => /Request too large for/i.test(f.message),
  },
  {
    // `type: "tokens"` alone is not enough: "Rate limit reached … Used 29500, Requested 800" is a busy key.
    statuses: [429], class: 'request_fault',
    example: 'Rate limit reached for gpt-4o … on tokens per min (TPM): Limit 30000, Used 100, Requested 52000. (code rate_limit_exceeded, type tokens)',
    matches: (f) => requestedOverLimit(f.message),
  },
  {
    statuses: [429], class: 'request_fault',
    example: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. (code context_length_exceeded)",
    matches: (f) => f.code === 'context_length_exceeded' || /maximum context length/i.test(f.message),
  },
  {
    // A restricted key lacks this endpoint's scope: the key is fine elsewhere (and the 401 says nothing about its validity).
    statuses: [401, 403], class: 'scope_fault',
    example: 'You have insufficient permissions for this operation. Missing scopes: api.responses.write.',
    matches: (f) => /insufficient permissions for this operation/i.test(f.message) || /Missing scopes?:/i.test(f.message),
  },
  // Key failures by default, named here for the record: "Incorrect API key provided: sk-…" (401, code invalid_api_key),
  // requests-per-minute limits ("Rate limit reached … on requests per min (RPM)", type requests), "You must be a
  // member of an organization to use the API" (401).
];

export const classifyOpenAIFailure = failureClassifier(OPENAI_FAILURES);
