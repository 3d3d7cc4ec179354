/** Reading and writing Responses SSE events: the parsed payload, its type, and the gateway's numbered error event. */
import type { SseEvent } from '../../streaming/sse-decoder';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import { type JsonObject, isObject } from '../../json/parse-object';

/** The JSON payload of an event with its type (`data.type`, else the `event:` name); `undefined` when it is not a JSON object. */
export function parseEvent(event: SseEvent): { type: string; data: JsonObject } | undefined {
  if (event.data === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return undefined;
  }
  if (!isObject(data)) return undefined;
  const type = typeof data.type === 'string' ? data.type : event.event ?? '';
  return { type, data };
}

/** Events that end a response; the SDK takes the final response from them. */
export const TERMINAL = new Set(['response.completed', 'response.incomplete']);

/** The message of a `response.failed` or `error` event, when the event is one. */
export function reportedError(type: string, data: JsonObject): { message: string; type?: string } | undefined {
  if (type === 'error') {
    const nested = isObject(data.error) ? data.error : data;
    return { message: typeof nested.message === 'string' ? nested.message : 'upstream error', type: typeof nested.code === 'string' ? nested.code : undefined };
  }
  if (type === 'response.failed') {
    const error = isObject(data.response) && isObject(data.response.error) ? data.response.error : {};
    return { message: typeof error.message === 'string' ? error.message : 'The upstream response failed.', type: typeof error.code === 'string' ? error.code : undefined };
  }
  return undefined;
}

/** The Responses mid-stream error event; `sequenceNumber` follows the last event the client got. */
export function errorEvent(error: { message: string; code: string | null }, sequenceNumber: number): string {
  return encodeSseEvent({ event: 'error', data: JSON.stringify({ type: 'error', code: error.code, message: error.message, param: null, sequence_number: sequenceNumber }) });
}
