/** Scripts OpenAI Responses answers for the fake upstream: recorded-style transcripts replayed, or turns built from steps. */
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import type { Behaviour, ReceivedRequest } from './fake-openai';
import type { ScriptedToolCall } from './chat-script';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'responses');

/** The bytes of `__tests__/fixtures/responses/<name>.sse`. */
export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, `${name}.sse`));
}

/** The `response` of a transcript's terminal event (what a blocking call answers). */
export function fixtureResponse(name: string): Record<string, any> {
  const events = fixture(name).toString('utf8').split('\n\n').filter((b) => b.includes('"sequence_number"'));
  return JSON.parse(events[events.length - 1].split('\ndata: ')[1]).response;
}

export interface ResponsesStep {
  /** Replay this transcript (streamed) or its final response (blocking); the other fields are then ignored. */
  fixture?: string;
  reasoning?: string;
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { input_tokens: number; output_tokens: number; cached_tokens?: number };
  /** Answer with this status and error body instead. */
  error?: { status: number; message: string; headers?: Record<string, string> };
  /** Stop after this many events without a terminal event (a cut stream). */
  cutAfter?: number;
}

function usageOf(step: ResponsesStep) {
  const u = step.usage ?? { input_tokens: 10, output_tokens: 5 };
  return {
    input_tokens: u.input_tokens, input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
    output_tokens: u.output_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.input_tokens + u.output_tokens,
  };
}

function response(id: string, status: string, output: unknown[], usage: unknown, req: ReceivedRequest) {
  return {
    id, object: 'response', created_at: 1_760_000_000, status, error: null, incomplete_details: null, model: req.json?.model ?? 'gpt-5',
    output, parallel_tool_calls: req.json?.parallel_tool_calls ?? true, store: req.json?.store ?? true, tools: req.json?.tools ?? [], usage,
  };
}

/** The output items of a step, final form. */
function items(step: ResponsesStep, n: number): any[] {
  const out: any[] = [];
  if (step.reasoning) out.push({ id: `rs_${n}`, type: 'reasoning', summary: [{ type: 'summary_text', text: step.reasoning }] });
  if (step.text) out.push({ id: `msg_${n}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], text: step.text }] });
  step.toolCalls?.forEach((c, i) => out.push({ id: `fc_${n}_${i}`, type: 'function_call', status: 'completed', call_id: c.id, name: c.name, arguments: c.arguments }));
  return out;
}

/** The SSE events of a step: lifecycle, each item added → deltas → done, then `response.completed`. */
function streamed(step: ResponsesStep, id: string, n: number, req: ReceivedRequest): string[] {
  const events: string[] = [];
  const add = (type: string, fields: object) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: events.length })}\n\n`);
  add('response.created', { response: response(id, 'in_progress', [], null, req) });
  add('response.in_progress', { response: response(id, 'in_progress', [], null, req) });
  const done = items(step, n);
  done.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'reasoning') {
      add('response.output_item.added', { output_index, item: { ...item, summary: [] } });
      add('response.reasoning_summary_part.added', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text: '' } });
      add('response.reasoning_summary_text.delta', { item_id, output_index, summary_index: 0, delta: step.reasoning });
      add('response.reasoning_summary_text.done', { item_id, output_index, summary_index: 0, text: step.reasoning });
      add('response.reasoning_summary_part.done', { item_id, output_index, summary_index: 0, part: item.summary[0] });
    } else if (item.type === 'message') {
      add('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      add('response.content_part.added', { item_id, output_index, content_index: 0, part: { type: 'output_text', annotations: [], text: '' } });
      for (const word of step.text!.split(/(?<= )/)) add('response.output_text.delta', { item_id, output_index, content_index: 0, delta: word, logprobs: [] });
      add('response.output_text.done', { item_id, output_index, content_index: 0, text: step.text, logprobs: [] });
      add('response.content_part.done', { item_id, output_index, content_index: 0, part: item.content[0] });
    } else {
      add('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      const half = Math.floor(item.arguments.length / 2);
      add('response.function_call_arguments.delta', { item_id, output_index, delta: item.arguments.slice(0, half) });
      add('response.function_call_arguments.delta', { item_id, output_index, delta: item.arguments.slice(half) });
      add('response.function_call_arguments.done', { item_id, output_index, arguments: item.arguments });
    }
    add('response.output_item.done', { output_index, item });
  });
  add('response.completed', { response: response(id, 'completed', done, usageOf(step), req) });
  return step.cutAfter === undefined ? events : events.slice(0, step.cutAfter);
}

/**
 * A behaviour that answers `POST /v1/responses` with `steps` in order (the last one repeats). Generated responses
 * have ids `resp_step<N>`, so tests can tell the calls apart.
 */
export function responsesScript(steps: ResponsesStep[] | ((req: ReceivedRequest, n: number) => ResponsesStep)): Behaviour & { calls: ReceivedRequest[] } {
  const calls: ReceivedRequest[] = [];
  const behaviour = (req: ReceivedRequest, res: http.ServerResponse) => {
    if (!req.url.startsWith('/v1/responses')) return 'default' as const;
    const n = calls.length;
    calls.push(req);
    const step = typeof steps === 'function' ? steps(req, n) : steps[Math.min(n, steps.length - 1)];
    if (step.error) {
      res.writeHead(step.error.status, { 'content-type': 'application/json', ...step.error.headers });
      res.end(JSON.stringify({ error: { message: step.error.message, type: 'invalid_request_error', code: null } }));
      return undefined;
    }
    const streaming = req.json?.stream === true;
    res.writeHead(200, { 'content-type': streaming ? 'text/event-stream; charset=utf-8' : 'application/json', 'x-request-id': `req_${n}` });
    if (step.fixture) {
      res.end(streaming ? fixture(step.fixture) : JSON.stringify(fixtureResponse(step.fixture)));
      return undefined;
    }
    const id = `resp_step${n}`;
    if (streaming) {
      for (const e of streamed(step, id, n, req)) res.write(e);
      res.end();
    } else {
      res.end(JSON.stringify(response(id, 'completed', items(step, n), usageOf(step), req)));
    }
    return undefined;
  };
  return Object.assign(behaviour, { calls });
}
