// relayStream on its own: a bug while relaying is logged with the interception id and ends the stream as server_error.
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import type { Logger } from 'winston';
import { relayStream, type StreamContext } from '../../lib/pipeline/relay/relay-stream';
import type { ApiAdapter, StreamObserver } from '../../lib/apis/api';
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
    finish: () => undefined,
  };
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
  const redactor = new Redactor([SECRET]);
  const { res, written } = fakeResponse();
  const ctx: StreamContext = {
    res, api,
    // The bridge's logger is the redacting one; the relay logs through it.
    signal: new AbortController().signal, interceptionId: 'ic-123', providerName: 'openai', logger: redactingLogger(logger as unknown as Logger, redactor),
    throttle: { allow: () => 0 } as unknown as StreamContext['throttle'], scrub: redactor.forRequest(),
    describe: (e) => ({ message: e.message, type: e.status >= 500 ? 'server_error' : 'invalid_request_error', code: e.code }),
  };
  const outcome = await relayStream(ctx, { status: 200, headers: {}, body, discard: () => undefined }, observer);
  expect(outcome).toEqual({ status: 'failed', errorType: 'server_error', errorMessage: 'The gateway failed to handle this request.' });
  expect(JSON.parse(written.join('').slice('data: '.length)).error).toEqual({ message: 'The gateway failed to handle this request.', type: 'server_error', code: 'internal_error' });
  expect(logger.error).toHaveBeenCalledWith('stream relay failed', expect.objectContaining({ interceptionId: 'ic-123', provider: 'openai' }));
  expect(JSON.stringify(logger.error.mock.calls)).not.toContain(SECRET);
});
