/** Scripted Anthropic Messages answers for the fake upstream: recorded-style transcripts replayed, and scripted turns (blocking or streamed). */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Behaviour, ReceivedRequest } from './fake-openai';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'anthropic');

/** A transcript file of `__tests__/fixtures/anthropic/`, e.g. `thinking-text`. */
export function transcript(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, `${name}.sse`), 'utf8');
}

export interface AnthropicToolCall {
  id: string;
  name: string;
  /** The input as JSON text (cut on purpose for a `max_tokens` stop). */
  input: string;
}

export interface AnthropicStep {
  /** Replay this transcript (streamed requests only). */
  fixture?: string;
  thinking?: string;
  text?: string;
  toolCalls?: AnthropicToolCall[];
  usage?: { input_tokens: number; output_tokens: number };
  stopReason?: string;
  /** Answer with this status and an Anthropic error body instead. */
  error?: { status: number; type: string; message: string; headers?: Record<string, string> };
}

const line = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

function usageOf(step: AnthropicStep) {
  return step.usage ?? { input_tokens: 10, output_tokens: 5 };
}

function stopReasonOf(step: AnthropicStep): string {
  return step.stopReason ?? (step.toolCalls?.length ? 'tool_use' : 'end_turn');
}

function contentOf(step: AnthropicStep, n: number): object[] {
  const content: object[] = [];
  if (step.thinking) content.push({ type: 'thinking', thinking: step.thinking, signature: `sig-step${n}` });
  if (step.text) content.push({ type: 'text', text: step.text });
  for (const c of step.toolCalls ?? []) content.push({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.input) });
  return content;
}

/** A blocking answer for `step`. */
export function anthropicMessage(step: AnthropicStep, n: number): object {
  const { input_tokens, output_tokens } = usageOf(step);
  return {
    id: `msg_step${n}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: contentOf(step, n),
    stop_reason: stopReasonOf(step), stop_sequence: null,
    usage: { input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens },
  };
}

/** The SSE events of `step`, shaped like the real API's (a ping after the start, empty first JSON fragment). */
export function anthropicStream(step: AnthropicStep, n: number): string {
  const { input_tokens, output_tokens } = usageOf(step);
  let out = line('message_start', { message: { id: `msg_step${n}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } });
  out += 'event: ping\ndata: {"type": "ping"}\n\n';
  let index = 0;
  if (step.thinking) {
    out += line('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    out += line('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: step.thinking } });
    out += line('content_block_delta', { index, delta: { type: 'signature_delta', signature: `sig-step${n}` } });
    out += line('content_block_stop', { index: index++ });
  }
  if (step.text) {
    out += line('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const word of step.text.split(/(?<= )/)) out += line('content_block_delta', { index, delta: { type: 'text_delta', text: word } });
    out += line('content_block_stop', { index: index++ });
  }
  for (const c of step.toolCalls ?? []) {
    out += line('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
    const half = Math.floor(c.input.length / 2);
    for (const part of ['', c.input.slice(0, half), c.input.slice(half)]) out += line('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } });
    out += line('content_block_stop', { index: index++ });
  }
  out += line('message_delta', { delta: { stop_reason: stopReasonOf(step), stop_sequence: null }, usage: { output_tokens } });
  return out + line('message_stop', {});
}

/** Writes `text` as an event stream, in two chunks split mid-event (real upstreams do not respect event boundaries). */
export function writeAnthropicSse(res: http.ServerResponse, text: string, requestId = 'req_fx'): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': requestId, 'anthropic-organization-id': 'org-test' });
  const bytes = Buffer.from(text);
  const cut = Math.floor(bytes.length / 2) + 3;
  res.write(bytes.subarray(0, cut));
  res.end(bytes.subarray(cut));
}

/**
 * A behaviour answering `POST /v1/messages` with `steps` in order (the last one repeats; ids `msg_step<N>`) and
 * `POST /v1/messages/count_tokens` with a count. Other routes fall through to the fake's defaults.
 */
export function anthropicScript(steps: AnthropicStep[] | ((req: ReceivedRequest, n: number) => AnthropicStep)): Behaviour & { calls: ReceivedRequest[] } {
  const calls: ReceivedRequest[] = [];
  const behaviour = (req: ReceivedRequest, res: http.ServerResponse) => {
    const route = req.url.split('?')[0];
    if (req.method === 'POST' && route === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 42 }));
      return undefined;
    }
    if (req.method !== 'POST' || route !== '/v1/messages') return 'default' as const;
    const n = calls.length;
    calls.push(req);
    const step = typeof steps === 'function' ? steps(req, n) : steps[Math.min(n, steps.length - 1)];
    if (step.error) {
      res.writeHead(step.error.status, { 'content-type': 'application/json', 'request-id': `req_${n}`, ...step.error.headers });
      res.end(JSON.stringify({ type: 'error', error: { type: step.error.type, message: step.error.message } }));
      return undefined;
    }
    if (req.json?.stream) {
      writeAnthropicSse(res, step.fixture ? transcript(step.fixture) : anthropicStream(step, n), `req_${n}`);
      return undefined;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${n}` });
    res.end(JSON.stringify(anthropicMessage(step, n)));
    return undefined;
  };
  return Object.assign(behaviour, { calls });
}
