/** Fake OpenAI answers for `/v1/embeddings` (float or base64 vectors) and the legacy `/v1/completions` (blocking and streamed). */
import type { Behaviour } from './fake-openai';

export const EMBEDDING = [0.25, -0.5, 1];
export const EMBEDDINGS_USAGE = { prompt_tokens: 8, total_tokens: 8 };
export const COMPLETION_USAGE = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
const PIECES = [' wor', 'ld'];

function embeddingsAnswer(body: Record<string, any>): Record<string, unknown> {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const vector = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(EMBEDDING).buffer).toString('base64') : EMBEDDING;
  return {
    object: 'list',
    data: inputs.map((_input: unknown, index: number) => ({ object: 'embedding', index, embedding: vector })),
    model: `${body.model}-v1`,
    usage: EMBEDDINGS_USAGE,
  };
}

function completionChunk(choices: unknown[], includeUsage: boolean, usage?: unknown): string {
  const chunk: Record<string, unknown> = { id: 'cmpl-fake', object: 'text_completion', created: 1760000000, model: 'gpt-3.5-turbo-instruct', choices };
  if (includeUsage) chunk.usage = usage ?? null;
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** Answers both routes as OpenAI does; `'default'` for anything else. */
export const embeddingsAndCompletions: Behaviour = (req, res) => {
  const body = (req.json ?? {}) as Record<string, any>;
  if (req.method === 'POST' && req.url === '/v1/embeddings') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(embeddingsAnswer(body)));
    return;
  }
  if (req.method !== 'POST' || req.url !== '/v1/completions') return 'default';
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      id: 'cmpl-fake', object: 'text_completion', created: 1760000000, model: 'gpt-3.5-turbo-instruct',
      choices: [{ text: PIECES.join(''), index: 0, logprobs: null, finish_reason: 'stop' }], usage: COMPLETION_USAGE,
    }));
    return;
  }
  const includeUsage = body.stream_options?.include_usage === true;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const text of PIECES) res.write(completionChunk([{ text, index: 0, logprobs: null, finish_reason: null }], includeUsage));
  res.write(completionChunk([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }], includeUsage));
  if (includeUsage) res.write(completionChunk([], true, COMPLETION_USAGE));
  res.end('data: [DONE]\n\n');
};
