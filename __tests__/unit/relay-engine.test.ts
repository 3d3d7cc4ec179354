/** The one relay engine (the tool loop) with and without injected tools: whole answers, whole answers to stream requests, records however a stream ends. */
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { runToolLoop } from '../../lib/pipeline/loop/tool-loop';
import { ClientStream } from '../../lib/pipeline/relay/client-stream';
import { ChatConversation } from '../../lib/apis/openai-chat/chat-conversation';
import type { LoopInterception } from '../../lib/apis/conversation';
import type { UpstreamResponse } from '../../lib/http/upstream-client';
import type { InjectedTool } from '../../lib/tools/types';

function fakeResponse() {
  const written: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    statusCode: 0, headersSent: false, writableEnded: false, destroyed: false, writableLength: 0,
    setHeader: () => undefined,
    flushHeaders() { res.headersSent = true; },
    write(chunk: Buffer | string) { written.push(chunk.toString()); return true; },
    end(chunk?: Buffer | string) { if (chunk) written.push(chunk.toString()); res.writableEnded = true; },
  });
  return { res: res as unknown as Response, written };
}

const ANSWER = Buffer.from('{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}');
const TOOL: InjectedTool = { name: 'bmcp_x', inputSchema: {} };

function interception(upstream: UpstreamResponse, { streaming, recorder = true, abort }: { streaming: boolean; recorder?: boolean; abort?: AbortController }) {
  const tokens: unknown[] = [];
  const answered: Array<{ status: number; body: Buffer }> = [];
  const ix = {
    api: { streamErrorEvent: () => 'data: {"error":{}}\n\n' },
    signal: (abort ?? new AbortController()).signal, interceptionId: 'ic-1', providerName: 'openai',
    logger: { error: jest.fn(), warn: jest.fn() }, throttle: { allow: () => 0 },
    scrub: { bytes: (b: Buffer) => b, value: (v: unknown) => v, events: () => false },
    describe: (e: { message: string; code: string }) => ({ message: e.message, type: 'server_error', code: e.code }),
    call: { streaming },
    bridge: { tools: { listTools: () => [], callTool: jest.fn() }, recorder: { enabled: recorder }, maxBodyBytes: 1e6, maxToolResultBytes: 1e6, streamKeepAliveMs: 1e4 },
    recording: { tokenUsage: (r: unknown) => tokens.push(r), usageNotReported: jest.fn(), toolUsage: jest.fn(), modelThought: jest.fn() },
    toolContext: {},
    send: async () => upstream,
    readBody: async (u: UpstreamResponse) => {
      const chunks: Buffer[] = [];
      for await (const c of u.body) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    answer: (u: { status: number }, body: Buffer) => void answered.push({ status: u.status, body }),
  } as unknown as LoopInterception;
  return { ix, tokens, answered };
}

function jsonUpstream(body: Buffer): UpstreamResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Object.assign(new PassThrough(), {}).end(body), discard: () => undefined } as unknown as UpstreamResponse;
}

function conversation(tools: InjectedTool[], streaming: boolean) {
  const c = new ChatConversation({ base: Buffer.from('{"model":"m","messages":[]}'), tools, clientWantsUsage: streaming });
  jest.spyOn(c, 'readAnswer');
  return c;
}

test('a blocking answer without injected tools and with the recorder off is relayed unread, the same bytes', async () => {
  const { ix, answered, tokens } = interception(jsonUpstream(ANSWER), { streaming: false, recorder: false });
  const c = conversation([], false);
  const outcome = await runToolLoop(ix, { conversation: c, tools: [], client: new ClientStream(fakeResponse().res, () => undefined) });
  expect(outcome).toEqual({ httpStatus: 200, status: 'completed' });
  expect(c.readAnswer).not.toHaveBeenCalled();
  expect(answered).toHaveLength(1);
  expect(answered[0].body.equals(ANSWER)).toBe(true);
  expect(tokens).toEqual([]);
});

test('a blocking answer without injected tools is recorded and relayed as the very bytes received', async () => {
  const { ix, answered, tokens } = interception(jsonUpstream(ANSWER), { streaming: false });
  const outcome = await runToolLoop(ix, { conversation: conversation([], false), tools: [], client: new ClientStream(fakeResponse().res, () => undefined) });
  expect(outcome).toEqual({ httpStatus: 200, status: 'completed' });
  expect(answered[0].body.equals(ANSWER)).toBe(true);
  expect(tokens).toEqual([expect.objectContaining({ msgId: 'chatcmpl-1', input: 3, output: 2 })]);
});

test.each([[[] as InjectedTool[]], [[TOOL]]])('a JSON 200 answer to a stream request (tools: %j) is relayed whole, recorded and completed', async (tools) => {
  const { ix, answered, tokens } = interception(jsonUpstream(ANSWER), { streaming: true });
  const { res, written } = fakeResponse();
  const outcome = await runToolLoop(ix, { conversation: conversation(tools, true), tools, client: new ClientStream(res, () => undefined) });
  expect(outcome).toEqual({ httpStatus: 200, status: 'completed' });
  expect(answered[0].body.equals(ANSWER)).toBe(true);
  expect(written).toEqual([]); // no stream was opened
  expect(tokens).toEqual([expect.objectContaining({ msgId: 'chatcmpl-1', input: 3, output: 2 })]);
});

test.each([[[] as InjectedTool[]], [[TOOL]]])('a client that leaves mid-stream (tools: %j): the turn so far is recorded, the abort goes on up', async (tools) => {
  const abort = new AbortController();
  const body = new PassThrough();
  const upstream = { status: 200, headers: { 'content-type': 'text/event-stream' }, body, discard: () => undefined } as unknown as UpstreamResponse;
  const { ix, tokens } = interception(upstream, { streaming: true, abort });
  const { res } = fakeResponse();
  body.write(`data: ${JSON.stringify({ id: 'chatcmpl-2', choices: [], usage: { prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 } })}\n\n`);
  setTimeout(() => {
    abort.abort();
    body.destroy(new Error('aborted'));
  }, 20);
  await expect(runToolLoop(ix, { conversation: conversation(tools, true), tools, client: new ClientStream(res, () => undefined) })).rejects.toThrow('aborted');
  expect(tokens).toEqual([expect.objectContaining({ msgId: 'chatcmpl-2', input: 7, output: 1 })]);
});
