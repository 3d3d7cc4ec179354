// Scripted tool use, shared by every API: which injected tools a fake calls by itself, when, with what, and the turn after their result.
'use strict';

const { renderBlocking, renderStream } = require('./chat-render');
const { sseFrame } = require('./sse');

const TOOL_USAGE = { prompt_tokens: 30, completion_tokens: 5 };

/** Text of a message's `content`: a string or an array of parts. */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p.text === 'string' ? p.text : '')).join(' ');
  return '';
}

function lastUserText(messages) {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i] && messages[i].role === 'user') return contentText(messages[i].content);
  return '';
}

/** A script's `arguments` as the text the model sends: an object is serialised, text kept as is (invalid JSON on purpose too). */
function argumentsText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The tool calls one fake makes by itself (its checked `toolCalls` option). `callTurn(api, toolNames, questionOf,
 * render)` is one API's tool-call turn, or undefined: the first offered name a script matches (and, with `when`,
 * that `questionOf()` asked for), rendered by `render(name, argumentsText)`; callers check first that no tool result
 * is in the conversation yet. `quote(results)` is text quoting the `{ name, text }` results of scripts that quote.
 */
function createToolScripts(scripts) {
  const matches = (script, name) => (typeof script.tool === 'string' ? script.tool === name : script.tool.test(name));
  // Names come from clients: anything but a string matches no script.
  const scriptOf = (name) => (typeof name === 'string' ? scripts.find((s) => matches(s, name)) : undefined);
  // Constant calls are rendered once per API and name: the bench calls its tool on every request.
  const rendered = new Map();

  function callTurn(api, toolNames, questionOf, render) {
    if (scripts.length === 0) return undefined;
    let question;
    for (const name of toolNames) {
      const script = scriptOf(name);
      if (!script) continue;
      question ??= questionOf();
      if (script.when && !script.when.test(question)) continue;
      if (typeof script.arguments === 'function') return render(name, argumentsText(script.arguments(question)));
      const key = `${api} ${name}`;
      if (!rendered.has(key)) rendered.set(key, render(name, argumentsText(script.arguments)));
      return rendered.get(key);
    }
    return undefined;
  }

  function quote(results) {
    const quotes = [];
    for (const r of results) {
      const script = scriptOf(r.name);
      if (!script || script.quote === false) continue;
      quotes.push(`The tool ${r.name} answered: ${r.text}`);
    }
    return quotes.length ? quotes.join('\n') : undefined;
  }

  return { callTurn, quote };
}

function renderChatCall(name, args) {
  const step = { toolCalls: [{ id: `call_fake_${name}`, name, arguments: args }], usage: TOOL_USAGE };
  const opts = { id: `chatcmpl-fake-${name}` };
  const json = Buffer.from(JSON.stringify(renderBlocking(step, opts)));
  return {
    json,
    frames: renderStream(step, { ...opts, includeUsage: false }).map((e) => Buffer.from(sseFrame(e))),
    framesWithUsage: renderStream(step, { ...opts, includeUsage: true }).map((e) => Buffer.from(sseFrame(e))),
  };
}

/** The chat tool-call turn for `body`, or undefined: a scripted tool is offered, asked for, and has no result in the conversation yet. */
function toolCallTurn(tools, body, messages) {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  if (messages.some((m) => m && m.role === 'tool')) return undefined;
  const names = body.tools.map((t) => t && t.function && t.function.name);
  return tools.callTurn('chat', names, () => lastUserText(messages), renderChatCall);
}

/** Text quoting the trailing chat tool results of a scripted call, or undefined when the conversation does not end with one. */
function quoteTurnText(tools, messages) {
  const results = [];
  for (let i = messages.length - 1; i >= 0 && messages[i] && messages[i].role === 'tool'; i--) results.unshift(messages[i]);
  if (results.length === 0) return undefined;
  const names = new Map();
  for (const m of messages) for (const c of (m && Array.isArray(m.tool_calls) ? m.tool_calls : [])) names.set(c && c.id, c && c.function && c.function.name);
  return tools.quote(results.map((r) => ({ name: names.get(r.tool_call_id), text: contentText(r.content) })));
}

module.exports = { TOOL_USAGE, argumentsText, createToolScripts, toolCallTurn, quoteTurnText, contentText, lastUserText };
