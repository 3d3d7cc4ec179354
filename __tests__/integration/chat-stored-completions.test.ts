/** Stored chat completions (`store: true`) belong to the actor that created them: retrieve, messages, update and delete through the real SDK. */
import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { openaiProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';
import { chatCompletion, COMPLETION_ID, type ReceivedRequest } from '../helpers/fake-openai';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: ['sk-stored-chat-key-00000000000001'] })] }));
const sdk = (user: string) => new OpenAI({ apiKey: `user-token-${user}`, baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The fake's chat answers, plus the stored-completion routes of the real API. */
function upstream(req: ReceivedRequest, res: ServerResponse) {
  const named = /^\/v1\/chat\/completions\/([^/?]+)(\/messages)?/.exec(req.url);
  if (!named) return 'default' as const;
  if (named[2]) return json(res, { object: 'list', data: [{ id: `${named[1]}-0`, role: 'user', content: 'Hi' }], first_id: `${named[1]}-0`, last_id: `${named[1]}-0`, has_more: false });
  if (req.method === 'DELETE') return json(res, { id: named[1], object: 'chat.completion.deleted', deleted: true });
  return json(res, { id: named[1], object: 'chat.completion', created: 1760000000, model: 'gpt-4o-mini', choices: [], metadata: req.json?.metadata ?? {} });
}

beforeEach(() => {
  suite.upstream.behaviour = upstream;
});

async function expectNotFound(pending: Promise<unknown>, id: string) {
  const sent = suite.upstream.requests.length;
  const err = await pending.then(() => undefined, (e) => e);
  expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  expect(err.error).toMatchObject({ message: `Chat completion with id '${id}' not found.`, type: 'invalid_request_error' });
  expect(suite.upstream.requests.length).toBe(sent);
}

test('a blocking completion stored by Alice: Bob can neither retrieve, list, update nor delete it; Alice can', async () => {
  const created = await sdk('alice').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], store: true });
  expect(created.id).toBe(COMPLETION_ID);
  await expectNotFound(sdk('bob').chat.completions.retrieve(created.id), created.id);
  await expectNotFound(sdk('bob').chat.completions.messages.list(created.id), created.id);
  await expectNotFound(sdk('bob').chat.completions.update(created.id, { metadata: { a: 'b' } }), created.id);
  await expectNotFound(sdk('bob').chat.completions.delete(created.id), created.id);

  expect((await sdk('alice').chat.completions.retrieve(created.id)).id).toBe(created.id);
  expect((await sdk('alice').chat.completions.messages.list(created.id)).data).toHaveLength(1);
  expect((await sdk('alice').chat.completions.update(created.id, { metadata: { a: 'b' } }) as unknown as { metadata: unknown }).metadata).toEqual({ a: 'b' });
  expect((await sdk('alice').chat.completions.delete(created.id)).deleted).toBe(true);
  expect(suite.upstream.requests.slice(1).map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
    `GET /v1/chat/completions/${created.id}`, `GET /v1/chat/completions/${created.id}/messages`,
    `POST /v1/chat/completions/${created.id}`, `DELETE /v1/chat/completions/${created.id}`,
  ]);
});

test('a streamed completion stored by Alice is hers from its first chunk', async () => {
  const stream = await sdk('alice').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], store: true, stream: true });
  let id = '';
  for await (const chunk of stream) id = chunk.id;
  expect(id).not.toBe('');
  await expectNotFound(sdk('bob').chat.completions.retrieve(id), id);
  expect((await sdk('alice').chat.completions.retrieve(id)).id).toBe(id);
});

test('an id the bridge never saw stored (no `store: true`, or made elsewhere) is refused, and the list stays closed', async () => {
  await expectNotFound(sdk('alice').chat.completions.retrieve('chatcmpl-elsewhere'), 'chatcmpl-elsewhere');
  suite.upstream.behaviour = (req, res) => (req.method === 'POST' ? json(res, chatCompletion({ id: 'chatcmpl-unstored' })) : upstream(req, res));
  const unstored = await sdk('alice').chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  expect(unstored.id).toBe('chatcmpl-unstored');
  await expectNotFound(sdk('alice').chat.completions.retrieve(unstored.id), unstored.id);
  suite.upstream.requests.length = 0;
  const listed = await sdk('alice').chat.completions.list().then(() => undefined, (e) => e);
  expect(listed).toBeInstanceOf(OpenAI.NotFoundError);
  expect(listed.error.message).toBe('Unknown route: GET /v1/chat/completions');
  expect(suite.upstream.requests).toHaveLength(0);
});
