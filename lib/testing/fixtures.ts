/** The fake upstream's recorded answers and renderers, typed for this package's own tests and bench (not part of the public `express-aibridge/testing`). */
import type http from 'node:http';
import type { AnthropicStep } from './types';
import * as fake from './fake/index.js';

export * from './index';

/** A parsed `.http` transcript; `events` (each ending with its blank line) only for `text/event-stream` bodies. */
export interface Transcript {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  events: Buffer[] | undefined;
}

/** The id of the recorded chat-completions answers. */
export const COMPLETION_ID: string = fake.COMPLETION_ID;

/** The default blocking answer (`fake/transcripts/openai/chat-completion.http`), with `overrides` on top. */
export function chatCompletion(overrides?: Record<string, unknown>): Record<string, any> {
  return fake.chatCompletion(overrides);
}

/** The `data:` payloads of the default streamed answer, `[DONE]` included; with `usage: null` and a usage chunk when `includeUsage`. */
export function textStreamEvents(includeUsage: boolean): string[] {
  return fake.textStreamEvents(includeUsage);
}

/** Writes `events` (payloads) as a 200 SSE answer with the default stream's headers. */
export function writeSse(res: http.ServerResponse, events: string[]): void {
  fake.writeSse(res, events);
}

/** One `chat.completion.chunk` with the transcripts' id, time and model. */
export function chunk(delta: Record<string, unknown>, finish?: string | null, extra?: Record<string, unknown>): Record<string, unknown> {
  return fake.chunk(delta, finish, extra);
}

/** The transcripts of `api` (a folder under fake/transcripts/), by file name without extension: `.http` parsed, `.txt` as text. */
export function loadTranscripts(api: string): Record<string, Transcript | string> {
  return fake.loadTranscripts(api);
}

/** Parses one `.http` transcript (status line, headers, blank line, body); `file` names it in errors. */
export function parseHttp(text: string, file: string): Transcript {
  return fake.parseHttp(text, file);
}

/** The blocking answer `anthropicScript` sends for `step` as its `n`th call. */
export function anthropicMessage(step: AnthropicStep, n: number): Record<string, unknown> {
  return fake.anthropicMessage(step, n);
}

/** The SSE text `anthropicScript` sends for `step` as its `n`th call. */
export function anthropicStream(step: AnthropicStep, n: number): string {
  return fake.anthropicStream(step, n);
}

/** The text of `fake/transcripts/anthropic/<name>.sse`, byte for byte. */
export function anthropicTranscript(name: string): string {
  return fake.anthropicTranscript(name);
}

/** Writes `text` as a 200 event stream in two chunks cut mid-event, with `request-id: requestId` (defaults to `req_fx`). */
export function writeAnthropicSse(res: http.ServerResponse, text: string, requestId?: string): void {
  fake.writeAnthropicSse(res, text, requestId);
}

/** The bytes of `fake/transcripts/responses/<name>.sse`. */
export function responsesTranscript(name: string): Buffer {
  return fake.responsesTranscript(name);
}

/** The `response` of that transcript's terminal event (what a blocking call answers). */
export function transcriptResponse(name: string): Record<string, any> {
  return fake.transcriptResponse(name);
}
