/** The startup demo: one streamed chat completion through the running bridge, printed as it arrives. */
'use strict';

const DEMO_REQUEST = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello to the people watching this demo' }],
  stream: true,
  stream_options: { include_usage: true },
};

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

async function* chunksWithSdk(OpenAI, baseURL, token) {
  const client = new OpenAI({ apiKey: token, baseURL, maxRetries: 0 });
  yield* await client.chat.completions.create(DEMO_REQUEST);
}

async function* chunksWithFetch(baseURL, token) {
  const res = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(DEMO_REQUEST),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  yield* sseData(res.body);
}

/** Streams one answer from `baseURL` (the bridge's OpenAI URL) as `token`'s user, writing text to `out` as it comes. */
async function runStreamingDemo({ baseURL, token, out }) {
  const OpenAI = loadOpenAI();
  out.write(`\n--- demo: streaming a chat completion through the bridge (${OpenAI ? 'openai SDK' : 'fetch'}) as ${token}\n> ${DEMO_REQUEST.messages[0].content}\n< `);
  let usage;
  let chunks = 0;
  const chunkStream = OpenAI ? chunksWithSdk(OpenAI, baseURL, token) : chunksWithFetch(baseURL, token);
  for await (const chunk of chunkStream) {
    chunks += 1;
    const text = chunk.choices[0] && chunk.choices[0].delta && chunk.choices[0].delta.content;
    if (text) out.write(text);
    if (chunk.usage) usage = chunk.usage;
  }
  const tokens = usage ? `, ${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens` : '';
  out.write(`\n--- demo finished: ${chunks} chunks${tokens}\n\n`);
}

module.exports = { runStreamingDemo };
