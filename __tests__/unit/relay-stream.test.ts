// The streamed relay on its own (the loop without injected tools): a bug while relaying is logged with the interception id and ends the stream as server_error.
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import type { Logger } from 'winston';
import { runToolLoop } from '../../lib/pipeline/loop/tool-loop';
import { ClientStream } from '../../lib/pipeline/relay/client-stream';
import type { ApiAdapter, StreamObserver } from '../../lib/apis/api';
import type { Conversation, LoopInterception } from '../../lib/apis/conversation';
import type { StreamError } from '../../lib/errors';
import { Redactor } from '../../lib/redaction/redactor';
import { redactingLogger } from '../../lib/redaction/redacting-logger';

/** Just enough of an Express response to collect what the relay writes. */
function fakeResponse() {
  const written: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    statusCode: 0,
    headersSent: false,
    writableEnded: false,
    setHeader: () => undefined,
    flushHeaders: () => undefined,
    write(chunk: Buffer | string) { written.push(chunk.toString()); return true; },
    end(chunk?: Buffer | string) { if (chunk) written.push(chunk.toString()); res.writableEnded = true; },
  });
  return { res: res as unknown as Response, written };
}

const api = { streamErrorEvent: (e: object) => `data: ${JSON.stringify({ error: e })}\n\n` } as unknown as ApiAdapter;
const SECRET = 'sk-pool-secret-aaaaaaaaaaaaaaaaaa1111';

test('an exception from our own code mid-stream is logged with the interception id and sent as server_error', async () => {
  const body = new PassThrough();
  body.end('data: {"choices":[]}\n\n');
  const observer: StreamObserver = {
    accept() { throw new TypeError(`observer bug near ${SECRET}`); },
    completed: false,
    upstreamError: undefined,
    turn: () => ({ msgId: '', usage: undefined, toolCalls: [], thoughts: [] }),
  };
  const conversation = { body: () => Buffer.from('{}'), observe: () => observer } as unknown as Conversation;
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
  const redactor = new Redactor([SECRET]);
  const { res, written } = fakeResponse();
  const ctx = {
    api,
    // The bridge's logger is the redacting one; the relay logs through it.
    signal: new AbortController().signal, interceptionId: 'ic-123', providerName: 'openai', logger: redactingLogger(logger as unknown as Logger, redactor),
    throttle: { allow: () => 0 } as unknown as LoopInterception['throttle'], scrub: redactor.forRequest(),
    describe: (e: { message: string; status: number; code: string }): StreamError => ({ message: e.message, type: e.status >= 500 ? 'server_error' : 'invalid_request_error', code: e.code }),
    call: { streaming: true },
    bridge: { tools: undefined, recorder: { enabled: true }, maxBodyBytes: 1e6, maxToolResultBytes: 1e6, streamKeepAliveMs: 1e4 },
    recording: { tokenUsage: jest.fn(), usageNotReported: jest.fn(), toolUsage: jest.fn(), modelThought: jest.fn() },
    send: async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body, discard: () => undefined }),
  } as unknown as LoopInterception;
  const client = new ClientStream(res, () => undefined);
  const { httpStatus, ...outcome } = await runToolLoop(ctx, { conversation, tools: [], client });
  expect(httpStatus).toBe(200);
  expect(outcome).toEqual({ status: 'failed', errorType: 'server_error', errorMessage: 'The gateway failed to handle this request.' });
  expect(JSON.parse(written.join('').slice('data: '.length)).error).toEqual({ message: 'The gateway failed to handle this request.', type: 'server_error', code: 'internal_error' });
  expect(logger.error).toHaveBeenCalledWith('stream relay failed', expect.objectContaining({ interceptionId: 'ic-123', provider: 'openai' }));
  expect(JSON.stringify(logger.error.mock.calls)).not.toContain(SECRET);
});
