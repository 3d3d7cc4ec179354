// What the real APIs refuse about a request's tools, checked by the fake before any behaviour: duplicate names, a tool_choice without its tool.
'use strict';

const isObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v);

/** The function name of an OpenAI tool (chat: `function.name`; Responses: `name`), or undefined. */
function openaiToolName(tool) {
  if (!isObject(tool)) return undefined;
  if (isObject(tool.function) && typeof tool.function.name === 'string') return tool.function.name;
  return typeof tool.name === 'string' ? tool.name : undefined;
}

function duplicate(names) {
  const seen = new Set();
  for (const name of names) {
    if (name === undefined) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

const invalid = (message) => ({ status: 400, type: 'invalid_request_error', message, code: null });

/** The OpenAI 400 for chat-completions and Responses bodies whose tools the real API refuses, or undefined. */
function checkOpenAITools(path, body) {
  if ((path !== '/v1/chat/completions' && path !== '/v1/responses') || !isObject(body)) return undefined;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const names = tools.map(openaiToolName);
  const twice = duplicate(names);
  if (twice !== undefined) return invalid(`Invalid 'tools': duplicate function name '${twice}'.`);
  const choice = body.tool_choice;
  if (choice === undefined || choice === null) return undefined;
  if (tools.length === 0) return invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
  const named = isObject(choice) ? openaiToolName(choice) : undefined;
  if (named !== undefined && !names.includes(named)) return invalid(`Tool choice '${named}' not found in 'tools' parameter.`);
  return undefined;
}

/** The Anthropic 400 for Messages bodies whose tools the real API refuses, or undefined. */
function checkAnthropicTools(path, body) {
  if (path !== '/v1/messages' || !isObject(body)) return undefined;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const names = tools.map((t) => (isObject(t) && typeof t.name === 'string' ? t.name : undefined));
  if (duplicate(names) !== undefined) return invalid('tools: Tool names must be unique.');
  const choice = body.tool_choice;
  if (isObject(choice) && choice.type === 'tool' && !names.includes(choice.name)) return invalid(`tool_choice: tool '${choice.name}' not found in tools.`);
  return undefined;
}

module.exports = { checkOpenAITools, checkAnthropicTools };
