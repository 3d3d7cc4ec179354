/** The Responses API's other routes through the real SDK: input items, delete, cancel, compact and input token counts, each scoped to the response's owner. */
import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { openaiProvider } from '../../lib';
import { bridgeSuite, eventually } from '../helpers/gateway';
import type { ReceivedRequest } from '../helpers/fake-openai';
import { responsesScript } from '../helpers/responses-script';
import { strictResponses } from '../helpers/strict-responses';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ baseURL: url, keys: ['sk-stored-routes-key-000000000001'] })] }));
const sdk = (user: string) => new OpenAI({ apiKey: `user-token-${user}`, baseURL: `${suite.gw.url}/openai/v1`, maxRetries: 0 });

const COMPACTION_USAGE = { input_tokens: 40, input_tokens_details: { cached_tokens: 10 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 45 };
const strict = strictResponses(responsesScript((_req, n) => ({ text: `Answer ${n}.` })));

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The strict Responses upstream, plus the routes it does not serve: compact, input_tokens, delete and cancel. */
function upstream(req: ReceivedRequest, res: ServerResponse) {
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path === '/v1/responses/compact') {
    return json(res, { id: 'resp_compacted', object: 'response.compaction', created_at: 1760000000, output: [{ id: 'cmp_1', type: 'compaction', encrypted_content: 'opaque' }], usage: COMPACTION_USAGE });
  }
  if (req.method === 'POST' && path === '/v1/responses/input_tokens') return json(res, { object: 'response.input_tokens', input_tokens: 17 });
  const named = /^\/v1\/responses\/([^/]+)(\/cancel)?$/.exec(path);
  if (named && req.method === 'DELETE' && !named[2]) return json(res, { id: named[1], object: 'response.deleted', deleted: true });
  if (named && req.method === 'POST' && named[2]) return json(res, { ...strict.stored.get(named[1]), status: 'cancelled' });
  return strict(req, res);
}

beforeEach(() => {
  suite.upstream.behaviour = upstream;
});

/** The SDK's 404 for an id Bob does not own, in OpenAI's shape, with nothing sent upstream. */
async function expectNotFound(pending: Promise<unknown>, message: string) {
  const sent = suite.upstream.requests.length;
  const err = await pending.then(() => undefined, (e) => e);
  expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  expect(err.error).toMatchObject({ message, type: 'invalid_request_error' });
  expect(suite.upstream.requests.length).toBe(sent);
}

test('input items, cancel and delete of Alice\'s response: Bob gets 404s, Alice gets the upstream\'s answers', async () => {
  const { id } = await sdk('alice').responses.create({ model: 'gpt-5', input: 'My secret is 42.' });
  const gone = `No response found with id '${id}'.`;
  await expectNotFound(sdk('bob').responses.inputItems.list(id), gone);
  await expectNotFound(sdk('bob').responses.cancel(id), gone);
  await expectNotFound(sdk('bob').responses.delete(id), gone);

  const items = await sdk('alice').responses.inputItems.list(id);
  expect(items.data).toEqual([]);
  expect((await sdk('alice').responses.cancel(id)).status).toBe('cancelled');
  await sdk('alice').responses.delete(id);
  expect(suite.upstream.requests.slice(-3).map((r) => `${r.method} ${r.url}`)).toEqual([
    `GET /v1/responses/${id}/input_items`, `POST /v1/responses/${id}/cancel`, `DELETE /v1/responses/${id}`,
  ]);
  await eventually(() => expect(suite.gw.recorder.passthroughs.length).toBeGreaterThanOrEqual(3));
});

test('compacting from Alice\'s response: Bob gets 404, Alice\'s compaction is relayed and recorded with its usage', async () => {
  const { id } = await sdk('alice').responses.create({ model: 'gpt-5', input: 'Remember 42.' });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(1));
  await expectNotFound(sdk('bob').responses.compact({ model: 'gpt-5', previous_response_id: id }), `Previous response with id '${id}' not found.`);
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(2));
  expect(suite.gw.recorder.interceptionEnds[1]).toMatchObject({ status: 'failed', httpStatus: 404 });

  const compacted = await sdk('alice').responses.compact({ model: 'gpt-5', previous_response_id: id, input: 'Keep going.' });
  expect(compacted).toMatchObject({ id: 'resp_compacted', object: 'response.compaction', usage: COMPACTION_USAGE });
  const sent = suite.upstream.requests.at(-1)!;
  expect(sent.url).toBe('/v1/responses/compact');
  expect(sent.json).toEqual({ model: 'gpt-5', previous_response_id: id, input: 'Keep going.' });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(3));
  const interception = suite.gw.recorder.interceptions[2];
  expect(interception).toMatchObject({ initiatorId: 'alice', route: '/v1/responses/compact', model: 'gpt-5' });
  await eventually(() => expect(suite.gw.recorder.tokenUsages.filter((t) => t.interceptionId === interception.id)).toHaveLength(1));
  expect(suite.gw.recorder.tokenUsages.find((t) => t.interceptionId === interception.id)).toMatchObject({ input: 30, cacheRead: 10, output: 5 });
  expect(suite.gw.recorder.promptUsages.find((p) => p.interceptionId === interception.id)).toMatchObject({ prompt: 'Keep going.' });
});

test('counting input tokens over Alice\'s response: Bob gets 404, Alice gets the count, recorded without usage', async () => {
  const { id } = await sdk('alice').responses.create({ model: 'gpt-5', input: 'Remember 42.' });
  await expectNotFound(sdk('bob').responses.inputTokens.count({ model: 'gpt-5', previous_response_id: id }), `Previous response with id '${id}' not found.`);
  const count = await sdk('alice').responses.inputTokens.count({ model: 'gpt-5', previous_response_id: id, input: 'and?' });
  expect(count).toEqual({ object: 'response.input_tokens', input_tokens: 17 });
  expect(suite.upstream.requests.at(-1)).toMatchObject({ method: 'POST', url: '/v1/responses/input_tokens' });
  await eventually(() => expect(suite.gw.recorder.interceptionEnds).toHaveLength(3));
  const counted = suite.gw.recorder.interceptions.find((i) => i.route === '/v1/responses/input_tokens' && i.initiatorId === 'alice')!;
  expect(suite.gw.recorder.interceptionEnds.find((e) => e.id === counted.id)).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect(suite.gw.recorder.tokenUsages.filter((t) => t.interceptionId === counted.id)).toEqual([]);
});

test('a conversation another actor created cannot be compacted or counted either', async () => {
  await expectNotFound(sdk('bob').responses.compact({ model: 'gpt-5', conversation: 'conv_nobody' } as never), "Conversation with id 'conv_nobody' not found.");
  await expectNotFound(sdk('bob').responses.inputTokens.count({ model: 'gpt-5', conversation: 'conv_nobody' }), "Conversation with id 'conv_nobody' not found.");
});
