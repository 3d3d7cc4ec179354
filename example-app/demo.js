/** The startup demos: streamed chat completions through the running bridge, printed as they arrive. */
'use strict';

const GREETING = 'Say hello to the people watching this demo';
// The fake upstream calls the demo server's `server_time` tool when asked about the time.
const TOOL_QUESTION = 'What time is it on the server?';

function demoRequest(content) {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true } };
}

function loadOpenAI() {
  try {
    return require('openai').OpenAI;
  } catch {
    return undefined; // `openai` is a devDependency; without it the demo speaks HTTP itself
  }
}

/** Yields the parsed `data:` payloads of an SSE body; enough for the demo, not a general decoder. */
async function* sseData(body) {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of body) {
    buffered += decoder.decode(bytes, { stream: true }).replace(/\r\n/g, '\n');
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (data === '[DONE]') return;
      if (data) yield JSON.parse(data);
    }
  }
}

async function* chunksWithSdk(OpenAI, baseURL, token, request) {
  const client = new OpenAI({ apiKey: token, baseURL, maxRetries: 0 });
  yield* await client.chat.completions.create(request);
}

async function* chunksWithFetch(baseURL, token, request) {
  const res = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(request),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  yield* sseData(res.body);
}

/** Streams the answer to `content` from `baseURL` (the bridge's OpenAI URL) as `token`'s user, writing text to `out` as it comes. */
async function streamAnswer({ baseURL, token, out, title, content }) {
  const OpenAI = loadOpenAI();
  const request = demoRequest(content);
  out.write(`\n--- demo: ${title} (${OpenAI ? 'openai SDK' : 'fetch'}) as ${token}\n> ${content}\n< `);
  let usage;
  let chunks = 0;
  const chunkStream = OpenAI ? chunksWithSdk(OpenAI, baseURL, token, request) : chunksWithFetch(baseURL, token, request);
  for await (const chunk of chunkStream) {
    chunks += 1;
    const text = chunk.choices[0] && chunk.choices[0].delta && chunk.choices[0].delta.content;
    if (text) out.write(text);
    if (chunk.usage) usage = chunk.usage;
  }
  const tokens = usage ? `, ${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens` : '';
  out.write(`\n--- demo finished: ${chunks} chunks${tokens}\n\n`);
}

/** The greeting demo: one streamed answer through the bridge. */
function runStreamingDemo({ baseURL, token, out }) {
  return streamAnswer({ baseURL, token, out, title: 'streaming a chat completion through the bridge', content: GREETING });
}

/**
 * The tool demo: the model (the fake upstream) calls the injected `bmcp_demo_server_time`, the bridge runs it on
 * the local MCP server and answers the model, and the client only sees the final answer, which quotes the result.
 */
function runToolDemo({ baseURL, token, out }) {
  return streamAnswer({ baseURL, token, out, title: 'an injected MCP tool, bmcp_demo_server_time, called by the model and run by the bridge', content: TOOL_QUESTION });
}

module.exports = { runStreamingDemo, runToolDemo, TOOL_QUESTION };
