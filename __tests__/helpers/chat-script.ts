/** Scripts multi-turn chat-completions answers for the fake upstream: each call answers with the next step, blocking or streamed. */
import type http from 'node:http';
import type { Behaviour, ReceivedRequest } from './fake-openai';

export interface ScriptedToolCall {
  id: string;
  name: string;
  /** Raw arguments text (may be invalid JSON on purpose). */
  arguments: string;
}

export interface ScriptStep {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Answer with this status and error body instead. */
  error?: { status: number; message: string; headers?: Record<string, string> };
}

function usageOf(step: ScriptStep) {
  const u = step.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
  return { ...u, total_tokens: u.prompt_tokens + u.completion_tokens };
}

function blocking(step: ScriptStep, id: string) {
  const calls = step.toolCalls?.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id, object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: step.text ?? null, ...(calls ? { tool_calls: calls } : {}), refusal: null }, logprobs: null, finish_reason: calls ? 'tool_calls' : 'stop' }],
    usage: usageOf(step),
  };
}

function streamed(step: ScriptStep, id: string, includeUsage: boolean): string[] {
  const base = { id, object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini' };
  const u = includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...u });
  const out = [chunk({ role: 'assistant', content: '' })];
  if (step.text) for (const word of step.text.split(/(?<= )/)) out.push(chunk({ content: word }));
  step.toolCalls?.forEach((c, index) => {
    out.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
    const half = Math.floor(c.arguments.length / 2);
    out.push(chunk({ tool_calls: [{ index, function: { arguments: c.arguments.slice(0, half) } }] }));
    out.push(chunk({ tool_calls: [{ index, function: { arguments: c.arguments.slice(half) } }] }));
  });
  out.push(chunk({}, step.toolCalls?.length ? 'tool_calls' : 'stop'));
  if (includeUsage) out.push(JSON.stringify({ ...base, choices: [], usage: usageOf(step) }));
  out.push('[DONE]');
  return out;
}

/**
 * A behaviour that answers chat-completions calls with `steps` in order (the last one repeats). Ids are
 * `chatcmpl-step<N>` so tests can tell the calls apart.
 */
export function chatScript(steps: ScriptStep[] | ((req: ReceivedRequest, n: number) => ScriptStep)): Behaviour & { calls: ReceivedRequest[] } {
  const calls: ReceivedRequest[] = [];
  const behaviour = (req: ReceivedRequest, res: http.ServerResponse) => {
    if (!req.url.startsWith('/v1/chat/completions')) return 'default' as const;
    const n = calls.length;
    calls.push(req);
    const step = typeof steps === 'function' ? steps(req, n) : steps[Math.min(n, steps.length - 1)];
    if (step.error) {
      res.writeHead(step.error.status, { 'content-type': 'application/json', ...step.error.headers });
      res.end(JSON.stringify({ error: { message: step.error.message, type: 'invalid_request_error', code: null } }));
      return undefined;
    }
    const id = `chatcmpl-step${n}`;
    if (req.json?.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': `req_${n}` });
      for (const e of streamed(step, id, req.json?.stream_options?.include_usage === true)) res.write(`data: ${e}\n\n`);
      res.end();
      return undefined;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${n}` });
    res.end(JSON.stringify(blocking(step, id)));
    return undefined;
  };
  return Object.assign(behaviour, { calls });
}
