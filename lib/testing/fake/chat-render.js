// Renders one assistant turn ("step": text and/or tool calls, usage) as an OpenAI chat completion, blocking or SSE.
'use strict';

const CREATED = 1_700_000_000;
const DEFAULT_MODEL = 'gpt-4o-mini';
const DEFAULT_USAGE = { prompt_tokens: 10, completion_tokens: 5 };

/** `usage` with its total, as the API sends it. */
function usageOf(step) {
  const u = step.usage || DEFAULT_USAGE;
  return { ...u, total_tokens: u.prompt_tokens + u.completion_tokens };
}

/** The `chat.completion` object of `step`. */
function renderBlocking(step, { id, model = DEFAULT_MODEL }) {
  const calls = step.toolCalls && step.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id, object: 'chat.completion', created: CREATED, model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: step.text === undefined ? null : step.text, ...(calls ? { tool_calls: calls } : {}), refusal: null },
      logprobs: null,
      finish_reason: calls ? 'tool_calls' : 'stop',
    }],
    usage: usageOf(step),
  };
}

/**
 * The `data:` payloads of `step` streamed: a role chunk, one chunk per word, each tool call as a header chunk and
 * its arguments in two halves (clients must join them), the finish chunk, the usage chunk when asked, `[DONE]`.
 * With `includeUsage` every chunk carries `usage: null`, as the real API does.
 */
function renderStream(step, { id, model = DEFAULT_MODEL, includeUsage }) {
  const base = { id, object: 'chat.completion.chunk', created: CREATED, model };
  const u = includeUsage ? { usage: null } : {};
  const chunk = (delta, finish = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...u });
  const out = [chunk({ role: 'assistant', content: '' })];
  if (step.text) for (const word of step.text.split(/(?<= )/)) out.push(chunk({ content: word }));
  const calls = step.toolCalls || [];
  calls.forEach((c, index) => {
    out.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
    const half = Math.floor(c.arguments.length / 2);
    out.push(chunk({ tool_calls: [{ index, function: { arguments: c.arguments.slice(0, half) } }] }));
    out.push(chunk({ tool_calls: [{ index, function: { arguments: c.arguments.slice(half) } }] }));
  });
  out.push(chunk({}, calls.length ? 'tool_calls' : 'stop'));
  if (includeUsage) out.push(JSON.stringify({ ...base, choices: [], usage: usageOf(step) }));
  out.push('[DONE]');
  return out;
}

/**
 * One `chat.completion.chunk` with the transcripts' id, time and model, for tests that script their own streams.
 * @param {Record<string, unknown>} delta
 * @param {string | null} [finish]
 * @param {Record<string, unknown>} [extra]
 */
function chunk(delta, finish = null, extra = {}) {
  return { id: 'chatcmpl-test123', object: 'chat.completion.chunk', created: CREATED, model: DEFAULT_MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra };
}

module.exports = { renderBlocking, renderStream, usageOf, chunk };
