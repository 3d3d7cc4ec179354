// Scripted tool use, shared by every API: the injected tools the fake knows how to call, when it calls them, and the turn after their result.
'use strict';

const { renderBlocking, renderStream } = require('./chat-render');
const { sseFrame } = require('./sse');

/**
 * Tool name (as shown to the model) → when the fake calls it and with what. `when` is matched against the last
 * user message (absent: whenever the tool is offered); `arguments` is constant JSON text or built from that
 * message. `quote: false` answers the turn after its result with the ordinary answer instead of quoting it.
 */
const SCRIPTED_TOOLS = {
  // The bench's no-op tool: called once, then the usual answer, so the tool loop's cost is measured on its own.
  bmcp_bench_noop: { arguments: '{}', quote: false },
  bmcp_demo_server_time: { when: /\btime\b/i, arguments: '{}' },
  bmcp_demo_word_count: { when: /\bcount\b.*\bwords?\b|\bhow many words\b/i, arguments: (question) => JSON.stringify({ text: quotedOrAll(question) }) },
};

const TOOL_USAGE = { prompt_tokens: 30, completion_tokens: 5 };

/** Text between the first pair of double quotes, else the whole question: `count the words in "a b c"` → `a b c`. */
function quotedOrAll(question) {
  const m = /"([^"]+)"/.exec(question);
  return m ? m[1] : question;
}

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

/** The script of tool `name`, or undefined for a tool the fake does not know (own keys only: names come from clients). */
function scriptOf(name) {
  return typeof name === 'string' && Object.hasOwn(SCRIPTED_TOOLS, name) ? SCRIPTED_TOOLS[name] : undefined;
}

// Constant calls are rendered once per API: the bench calls its tool on every request.
const rendered = new Map();

/**
 * The tool-call turn of one API, or undefined: the first of `toolNames` the fake knows and (with `when`) was asked
 * for by `questionOf()`, rendered by `render(name, argumentsText)`. Callers check first that no tool result is in
 * the conversation yet.
 */
function scriptedCallTurn(api, toolNames, questionOf, render) {
  let question;
  for (const name of toolNames) {
    const script = scriptOf(name);
    if (!script) continue;
    question ??= questionOf();
    if (script.when && !script.when.test(question)) continue;
    if (typeof script.arguments !== 'string') return render(name, script.arguments(question));
    const key = `${api} ${name}`;
    if (!rendered.has(key)) rendered.set(key, render(name, script.arguments));
    return rendered.get(key);
  }
  return undefined;
}

/** Text quoting `results` (`{ name, text }` of trailing tool results) of scripted tools that quote, or undefined. */
function quoteResults(results) {
  const quotes = [];
  for (const r of results) {
    const script = scriptOf(r.name);
    if (!script || script.quote === false) continue;
    quotes.push(`The tool ${r.name} answered: ${r.text}`);
  }
  return quotes.length ? quotes.join('\n') : undefined;
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

/** The chat tool-call turn for `body`, or undefined: a known tool is offered, asked for, and has no result in the conversation yet. */
function toolCallTurn(body, messages) {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  if (messages.some((m) => m && m.role === 'tool')) return undefined;
  const names = body.tools.map((t) => t && t.function && t.function.name);
  return scriptedCallTurn('chat', names, () => lastUserText(messages), renderChatCall);
}

/** Text quoting the trailing chat tool results of a scripted call, or undefined when the conversation does not end with one. */
function quoteTurnText(messages) {
  const results = [];
  for (let i = messages.length - 1; i >= 0 && messages[i] && messages[i].role === 'tool'; i--) results.unshift(messages[i]);
  if (results.length === 0) return undefined;
  const names = new Map();
  for (const m of messages) for (const c of (m && Array.isArray(m.tool_calls) ? m.tool_calls : [])) names.set(c && c.id, c && c.function && c.function.name);
  return quoteResults(results.map((r) => ({ name: names.get(r.tool_call_id), text: contentText(r.content) })));
}

module.exports = { SCRIPTED_TOOLS, TOOL_USAGE, scriptedCallTurn, quoteResults, toolCallTurn, quoteTurnText, contentText, lastUserText };
