/** Anthropic message batches: closed by default (a batch spends what no record sees); opened by the host, each batch is its creator's alone. */
import Anthropic from '@anthropic-ai/sdk';
import type { ServerResponse } from 'node:http';
import { anthropicProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';
import type { ReceivedRequest } from '../helpers/fake-openai';

const BATCH_ROUTES = [
  { methods: ['POST'], pattern: '/v1/messages/batches', creates: 'message_batch' },
  { methods: ['GET', 'DELETE'], pattern: '/v1/messages/batches/:id', owns: 'message_batch' },
  { methods: ['GET'], pattern: '/v1/messages/batches/:id/results', owns: 'message_batch' },
  { methods: ['POST'], pattern: '/v1/messages/batches/:id/cancel', owns: 'message_batch' },
];
const suite = bridgeSuite((url) => ({
  providers: [
    anthropicProvider({ baseURL: url.replace(/\/v1$/, ''), keys: ['sk-ant-batches-key-000000000001'] }),
    anthropicProvider({ name: 'batches', baseURL: url.replace(/\/v1$/, ''), keys: ['sk-ant-batches-key-000000000002'], passthrough: { add: BATCH_ROUTES as never } }),
  ],
}));
const sdk = (user: string, provider: string) => new Anthropic({ apiKey: `user-token-${user}`, baseURL: `${suite.gw.url}/${provider}`, maxRetries: 0 });

let batches = 0;
function batch(id: string, status = 'in_progress') {
  return { id, type: 'message_batch', processing_status: status, request_counts: { processing: 1, succeeded: 0, errored: 0, canceled: 0, expired: 0 }, created_at: '2026-01-01T00:00:00Z', expires_at: '2026-01-02T00:00:00Z', ended_at: null, cancel_initiated_at: null, archived_at: null, results_url: null };
}
function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
function upstream(req: ReceivedRequest, res: ServerResponse) {
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path === '/v1/messages/batches') return json(res, batch(`msgbatch_${++batches}`));
  const named = /^\/v1\/messages\/batches\/([^/]+)(\/cancel)?$/.exec(path);
  if (!named) return 'default' as const;
  if (req.method === 'DELETE') return json(res, { id: named[1], type: 'message_batch_deleted' });
  return json(res, batch(named[1], named[2] ? 'canceling' : 'in_progress'));
}

beforeEach(() => {
  suite.upstream.behaviour = upstream;
});

const REQUEST = { requests: [{ custom_id: 'a', params: { model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user' as const, content: 'Hi' }] } }] };

test('closed by default: creating or listing batches is a 404 in Anthropic\'s shape, nothing sent upstream', async () => {
  for (const request of [() => sdk('alice', 'anthropic').messages.batches.create(REQUEST), () => sdk('alice', 'anthropic').messages.batches.list()]) {
    const err = await (request() as Promise<unknown>).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringMatching(/^Unknown route: (POST|GET) \/v1\/messages\/batches$/) } });
  }
  expect(suite.upstream.requests).toHaveLength(0);
});

test('opened by the host: a batch belongs to its creator; another actor gets a 404 for it on every route', async () => {
  const created = await sdk('alice', 'batches').messages.batches.create(REQUEST);
  expect(created.id).toMatch(/^msgbatch_/);
  const sent = suite.upstream.requests.length;
  for (const request of [
    () => sdk('bob', 'batches').messages.batches.retrieve(created.id),
    () => sdk('bob', 'batches').messages.batches.cancel(created.id),
    () => sdk('bob', 'batches').messages.batches.delete(created.id),
  ]) {
    const err = await (request() as Promise<unknown>).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: `Message batch with id '${created.id}' not found.` } });
  }
  expect(suite.upstream.requests.length).toBe(sent);
  expect((await sdk('alice', 'batches').messages.batches.retrieve(created.id)).id).toBe(created.id);
  expect((await sdk('alice', 'batches').messages.batches.cancel(created.id)).processing_status).toBe('canceling');
  expect((await sdk('alice', 'batches').messages.batches.delete(created.id)).type).toBe('message_batch_deleted');
});
