// script: one queue of API-neutral steps (text, tool calls, usage, an error) answering whichever API a request calls.
'use strict';

const { stepScript, CHAT_STEPS } = require('./script');
const { RESPONSES_STEPS } = require('./responses-script');
const { MESSAGES_STEPS } = require('./anthropic-script');
const { argumentsText } = require('./tool-turns');

// The `error.type` an Anthropic error body carries for a status, as the real API names them.
const ANTHROPIC_ERROR_TYPES = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 529: 'overloaded_error' };

/** Each API's step answerer, and the names its steps give tool-call ids, arguments and usage. */
const APIS = [
  { ...CHAT_STEPS, shape: { callId: 'call_step', args: 'arguments', input: 'prompt_tokens', output: 'completion_tokens' } },
  { ...RESPONSES_STEPS, shape: { callId: 'call_step', args: 'arguments', input: 'input_tokens', output: 'output_tokens' } },
  {
    ...MESSAGES_STEPS,
    shape: { callId: 'toolu_step', args: 'input', input: 'input_tokens', output: 'output_tokens' },
    error: (error) => ({ ...error, type: error.type ?? ANTHROPIC_ERROR_TYPES[error.status] ?? 'api_error' }),
  },
];

/** A neutral step as the `n`th step of one API. */
function apiStep(step, n, shape) {
  return {
    text: step.text,
    toolCalls: step.toolCalls && step.toolCalls.map((c, i) => ({ id: c.id ?? `${shape.callId}${n}_${i}`, name: c.name, [shape.args]: argumentsText(c.arguments ?? {}) })),
    usage: step.usage && { [shape.input]: step.usage.input, [shape.output]: step.usage.output },
  };
}

const apiOf = (req) => APIS.find((api) => api.matches(req));

/**
 * Answers chat-completions, Responses and Messages calls with `steps` in order, whichever API each call uses (the
 * last step repeats), or with `steps(req, n)`; other requests fall through to the fake's routes. See ../types.ts.
 */
function script(steps) {
  return stepScript(steps, {
    matches: (req) => apiOf(req) !== undefined,
    answer(res, step, req, n) {
      const api = apiOf(req);
      api.answer(res, apiStep(step, n, api.shape), req, n);
    },
    fail(res, error, n, req) {
      const api = apiOf(req);
      api.fail(res, api.error ? api.error(error) : error, n);
    },
  });
}

module.exports = { script };
