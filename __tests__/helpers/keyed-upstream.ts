/** Per-key scripted answers for the fake OpenAI upstream, chosen by the `authorization` header the gateway sent. */
import type http from 'node:http';
import type { Behaviour, ReceivedRequest } from './fake-openai';

/** One scripted upstream answer. */
export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as-is, anything else JSON-encoded. Defaults to an OpenAI-shaped error for `status`. */
  body?: string | Record<string, unknown>;
}

/**
 * What one key gets: the same answer every time, a list used up in order (then the fake's default answer),
 * or a behaviour of its own.
 */
export type KeyAnswer = ScriptedResponse | readonly ScriptedResponse[] | Behaviour;

/** Answers by `authorization` header value (`'Bearer sk-…'`); a bare key works too. */
export type KeyScript = Record<string, KeyAnswer>;

export const bearer = (key: string): string => `Bearer ${key}`;

/** The OpenAI-shaped error body the fake sends for a scripted status without a body of its own. */
export function upstreamErrorBody(status: number): string {
  return JSON.stringify({ error: { message: `fake upstream says ${status}`, type: `fake_${status}`, code: `fake_code_${status}` } });
}

/** Writes a scripted answer. */
export function writeScripted(res: http.ServerResponse, response: ScriptedResponse): void {
  const body = response.body === undefined
    ? upstreamErrorBody(response.status)
    : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
  res.end(body);
}

/** A behaviour for `startFakeOpenAI` that answers per key and falls back to `'default'` for unscripted keys. */
export function keyedUpstream(script: KeyScript): Behaviour {
  const queues = new Map<string, ScriptedResponse[]>();
  return function keyedBehaviour(req, res) {
    const auth = req.headers.authorization;
    if (typeof auth !== 'string') return 'default';
    const name = auth in script ? auth : auth.replace(/^Bearer /i, '');
    const answer = script[name];
    if (answer === undefined) return 'default';
    if (typeof answer === 'function') return answer(req, res);
    let response: ScriptedResponse | undefined;
    if (isList(answer)) {
      if (!queues.has(name)) queues.set(name, [...answer]);
      response = queues.get(name)!.shift();
      if (!response) return 'default';
    } else {
      response = answer;
    }
    writeScripted(res, response);
    return undefined;
  };
}

function isList(answer: ScriptedResponse | readonly ScriptedResponse[]): answer is readonly ScriptedResponse[] {
  return Array.isArray(answer);
}

/** The bearer tokens the upstream received, in order (`undefined` where none was sent). */
export function keysSeen(requests: readonly ReceivedRequest[]): Array<string | undefined> {
  return requests.map((r) => (typeof r.headers.authorization === 'string' ? r.headers.authorization.replace(/^Bearer /i, '') : undefined));
}

/** Which of `secrets` occur in `text` (so a failing assertion names the leaked key). */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => text.includes(secret));
}
