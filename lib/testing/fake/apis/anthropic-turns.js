// Scripted tool use on Anthropic Messages: a tool_use turn when a scripted injected tool is offered, then text quoting its tool_result.
'use strict';

const { renderMessage, renderMessageEvents } = require('../anthropic-render');
const { contentText, lastUserText, TOOL_USAGE } = require('../tool-turns');

const USAGE = { input_tokens: TOOL_USAGE.prompt_tokens, output_tokens: TOOL_USAGE.completion_tokens };

const blocksOf = (message) => (message && Array.isArray(message.content) ? message.content : []);
const isToolResult = (block) => !!block && block.type === 'tool_result';

function renderToolUse(name, args) {
  const step = { toolCalls: [{ id: `toolu_fake_${name}`, name, input: args }], usage: USAGE };
  const opts = { id: `msg_fake_${name}` };
  return {
    json: Buffer.from(JSON.stringify(renderMessage(step, opts))),
    frames: renderMessageEvents(step, opts).map((e) => Buffer.from(e)),
  };
}

/** The tool_use turn for `body`, or undefined: a scripted tool is offered, asked for, and no tool_result is in the conversation yet. */
function toolUseTurn(tools, body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (!Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  if (messages.some((m) => blocksOf(m).some(isToolResult))) return undefined;
  return tools.callTurn('anthropic', body.tools.map((t) => t && t.name), () => lastUserText(messages), renderToolUse);
}

/** Text quoting the tool_result blocks of the last (user) message, for scripted tools; undefined when it has none. */
function quoteToolResults(tools, messages) {
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const results = blocksOf(messages[messages.length - 1]).filter(isToolResult);
  if (results.length === 0) return undefined;
  const names = new Map();
  for (const m of messages) for (const b of blocksOf(m)) if (b && b.type === 'tool_use') names.set(b.id, b.name);
  return tools.quote(results.map((r) => ({ name: names.get(r.tool_use_id), text: contentText(r.content) })));
}

/** The text of each message (for word-counted usage). */
function messageTexts(messages) {
  return Array.isArray(messages) ? messages.map((m) => contentText(m && m.content)) : [];
}

module.exports = { toolUseTurn, quoteToolResults, messageTexts };
