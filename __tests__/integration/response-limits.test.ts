// Upstream answers over the size limits: blocking bodies (maxResponseBytes) and mid-body failures of blocking answers.
import { openaiProvider } from '../../lib';
import { chatCompletion } from '../helpers/fake-openai';
import { bridgeSuite, eventually } from '../helpers/gateway';

const LIMIT = 4096;
const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-limit-key-aaaaaaaaaaaa1234'], baseURL: url })], maxResponseBytes: LIMIT }));

const post = (body: object) => fetch(`${suite.gw.url}/openai/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(body),
});
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('maxResponseBytes', () => {
  test('a chunked body past the limit: upstream connection closed early, client gets 502 response_too_large', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Far more than the limit, in pieces, and never ended: only a closed connection stops it.
      const piece = 'x'.repeat(1024);
      for (let i = 0; i < 16; i++) res.write(piece);
    };
    const res = await post(CHAT);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { message: expect.stringContaining(String(LIMIT)), type: 'server_error', code: 'response_too_large' } });
    await suite.upstream.requests[0].closedEarly;
    await eventually(() => expect(suite.gw.recorder.interceptionEnds).toEqual([
      expect.objectContaining({ status: 'failed', errorType: 'server_error', httpStatus: 502 }),
    ]));
  });

  test('a declared content-length over the limit is refused before reading, and the connection is closed', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) });
      res.write('{"id":');
    };
    const res = await post(CHAT);
    expect(res.status).toBe(502);
    expect(((await res.json()) as any).error.code).toBe('response_too_large');
    await suite.upstream.requests[0].closedEarly;
  });

  test('an error body past the limit is cut the same way', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.write('x'.repeat(LIMIT + 1));
    };
    const res = await post({ ...CHAT, stream: true });
    expect(res.status).toBe(502);
    expect(((await res.json()) as any).error.code).toBe('response_too_large');
    await suite.upstream.requests[0].closedEarly;
  });

  test('an answer of exactly the limit is relayed byte-identical', async () => {
    const base = JSON.stringify(chatCompletion());
    const body = base.slice(0, -1) + `,"pad":"${'p'.repeat(LIMIT - base.length - 9)}"}`;
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    };
    const res = await post(CHAT);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
  });
});

describe('a blocking answer cut mid-body', () => {
  test('says the connection was lost while the upstream was answering, not that it could not be reached', async () => {
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"chatcmpl-cut",', () => res.socket?.destroy());
    };
    const res = await post(CHAT);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { message: 'The upstream connection was lost while sending its answer.', type: 'server_error', code: 'upstream_disconnected' } });
  });
});
