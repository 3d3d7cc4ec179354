// Scripted tool use on OpenAI Responses: a function_call item when a scripted injected tool is offered, then text quoting its output.
'use strict';

const { responseObject, responsesUsage, responseEvents, outputItems } = require('../responses-render');
const { contentText, lastUserText, TOOL_USAGE } = require('../tool-turns');

const USAGE = { input_tokens: TOOL_USAGE.prompt_tokens, output_tokens: TOOL_USAGE.completion_tokens };
// Call ids carry the tool's name, so a chained request (`conversation`: only the outputs are sent) can still be quoted.
const CALL_ID = /^call_fake_(.+)$/;

const itemsOf = (input) => (Array.isArray(input) ? input : []);
const isOutput = (item) => !!item && item.type === 'function_call_output';

/** The last user message of `input` (a string or a list of items) as text. */
function questionOf(input) {
  return typeof input === 'string' ? input : lastUserText(itemsOf(input));
}

function renderFunctionCall(name, args) {
  const id = `resp_fake_${name}`;
  const step = { toolCalls: [{ id: `call_fake_${name}`, name, arguments: args }], usage: USAGE };
  const ids = { item: () => `fc_fake_${name}` };
  // Canned like the chat tool turns (model and tools not echoed), so the bench's constant call is rendered once.
  const body = { model: 'gpt-5' };
  return {
    json: Buffer.from(JSON.stringify(responseObject(id, 'completed', outputItems(step, ids), responsesUsage(step), body))),
    frames: responseEvents(step, { id, body, ids }).map((e) => Buffer.from(e)),
  };
}

/** The function_call turn for `body`, or undefined: a scripted function tool is offered, asked for, and no output of a call is in the input yet. */
function functionCallTurn(tools, body) {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  if (itemsOf(body.input).some(isOutput)) return undefined;
  const names = body.tools.map((t) => (t && t.type === 'function' ? t.name : undefined));
  return tools.callTurn('responses', names, () => questionOf(body.input), renderFunctionCall);
}

/** Text quoting the trailing function_call_output items of scripted tools; undefined when the input does not end with one. */
function quoteFunctionOutputs(tools, input) {
  const items = itemsOf(input);
  const outputs = [];
  for (let i = items.length - 1; i >= 0 && isOutput(items[i]); i--) outputs.unshift(items[i]);
  if (outputs.length === 0) return undefined;
  const names = new Map();
  for (const item of items) if (item && item.type === 'function_call') names.set(item.call_id, item.name);
  const nameOf = (callId) => names.get(callId) ?? (typeof callId === 'string' ? (CALL_ID.exec(callId) || [])[1] : undefined);
  return tools.quote(outputs.map((o) => ({ name: nameOf(o.call_id), text: contentText(o.output) })));
}

/** The text of each input message (for word-counted usage). */
function inputTexts(input) {
  return typeof input === 'string' ? [input] : itemsOf(input).map((m) => contentText(m && m.content));
}

module.exports = { functionCallTurn, quoteFunctionOutputs, inputTexts, questionOf };
