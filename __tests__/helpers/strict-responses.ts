/**
 * A stricter OpenAI Responses upstream for the tests: keeps every response it answered (blocking or streamed),
 * serves `GET /v1/responses/:id[/input_items]`, and continues only as the real API does — an unknown
 * `previous_response_id` is a 404, and so is continuing from a response that ends with a `function_call` whose
 * output the new input does not bring (400 "No tool output found for function call …"). An `item_reference` is
 * resolved from any stored response of the key, as the real API does, and an unknown one is a 404.
 */
import type { ServerResponse } from 'node:http';
import type { Behaviour, ReceivedRequest } from '../../lib/testing/fixtures';

type Obj = Record<string, any>;

function sendError(res: ServerResponse, status: number, message: string, param: string | null, code: string | null): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', param, code } }));
}

/** The completed response in an answer's bytes: a JSON object, or the `response` of the last SSE event carrying one. */
function responseIn(text: string): Obj | undefined {
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed.id === 'string' ? parsed : undefined;
  } catch {
    let last: Obj | undefined;
    for (const block of text.split('\n\n')) {
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      try {
        const event = JSON.parse(data.slice(6));
        if (event && event.response && typeof event.response.id === 'string') last = event.response;
      } catch {
        // not an event of ours
      }
    }
    return last;
  }
}

/** Calls of the previous response still waiting for an output the new input does not carry. */
function pendingCall(previous: Obj, input: unknown): string | undefined {
  const outputs = new Set((Array.isArray(input) ? input : []).filter((i: Obj) => i?.type === 'function_call_output').map((i: Obj) => i.call_id));
  const calls = (Array.isArray(previous.output) ? previous.output : []).filter((i: Obj) => i?.type === 'function_call');
  return calls.map((c: Obj) => c.call_id).find((id: string) => !outputs.has(id));
}

/** The ids of the input's item references (`{ type: 'item_reference', id }`, the type may be left out). */
function itemReferences(input: unknown): string[] {
  if (!Array.isArray(input)) return [];
  return input.filter((i: Obj) => i && typeof i.id === 'string' && (i.type === 'item_reference' || (i.type == null && i.role === undefined))).map((i: Obj) => i.id);
}

/** The stored output item with id `id`, from any stored response. */
function storedItem(stored: Map<string, Obj>, id: string): Obj | undefined {
  for (const response of stored.values()) {
    const found = (Array.isArray(response.output) ? response.output : []).find((item: Obj) => item?.id === id);
    if (found) return found;
  }
  return undefined;
}

/** Wraps a Responses behaviour (e.g. `responsesScript`) with a response store and the real API's continuation rules. */
export function strictResponses(inner: Behaviour): Behaviour & { stored: Map<string, Obj>; refused: string[]; item: (id: string) => Obj | undefined } {
  const stored = new Map<string, Obj>();
  const refused: string[] = [];
  const behaviour = async (req: ReceivedRequest, res: ServerResponse) => {
    const path = req.url.split('?')[0];
    const named = /^\/v1\/responses\/([^/]+)(\/input_items)?$/.exec(path);
    if (req.method === 'GET' && named) {
      const found = stored.get(named[1]);
      if (!found) return sendError(res, 404, `No response found with id '${named[1]}'.`, null, null);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(named[2] ? { object: 'list', data: [] } : found));
      return undefined;
    }
    if (req.method !== 'POST' || path !== '/v1/responses') return inner(req, res);
    const unknownItem = itemReferences(req.json?.input).find((id) => !storedItem(stored, id));
    if (unknownItem !== undefined) {
      return sendError(res, 404, `Item with id '${unknownItem}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`, 'input', null);
    }
    const previousId = req.json?.previous_response_id;
    if (typeof previousId === 'string') {
      const previous = stored.get(previousId);
      if (!previous) {
        refused.push(previousId);
        return sendError(res, 404, `Previous response with id '${previousId}' not found.`, 'previous_response_id', 'previous_response_not_found');
      }
      const call = pendingCall(previous, req.json.input);
      if (call) {
        refused.push(previousId);
        return sendError(res, 400, `No tool output found for function call ${call}.`, 'input', null);
      }
    }
    // Keeps what the inner behaviour answers, once it is complete.
    const chunks: Buffer[] = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: any, ...rest: any[]) => {
      chunks.push(Buffer.from(chunk));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: any, ...rest: any[]) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
      const response = responseIn(Buffer.concat(chunks).toString('utf8'));
      if (response && req.json?.store !== false) stored.set(response.id, response);
      return end(chunk, ...rest);
    }) as typeof res.end;
    return inner(req, res);
  };
  return Object.assign(behaviour, { stored, refused, item: (id: string) => storedItem(stored, id) });
}
