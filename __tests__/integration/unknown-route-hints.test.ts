/** A client whose base URL misses (or doubles) the version segment gets a provider-shaped 404 that names the right path. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { anthropicProvider, openaiProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';

const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ keys: ['sk-pool-aaaaaaaaaaaa0001'], baseURL: url }),
    anthropicProvider({ keys: ['sk-ant-pool-aaaaaaaa0001'], baseURL: url.replace(/\/v1$/, '') }),
  ],
}));

test('OpenAI SDK with baseURL …/openai (no /v1): the 404 says which path to use', async () => {
  const client = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${suite.gw.url}/openai`, maxRetries: 0 });
  const err = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  const { error } = (err as InstanceType<typeof OpenAI.NotFoundError>);
  expect(error).toEqual({
    message: 'Unknown route: POST /chat/completions. Did you mean POST /ai/openai/v1/chat/completions?',
    type: 'invalid_request_error',
    code: 'unknown_route',
  });
  expect(suite.upstream.requests).toHaveLength(0);
});

test('Anthropic SDK with baseURL …/anthropic/v1: the 404 says which path to use', async () => {
  const client = new Anthropic({ authToken: 'user-token-alice', baseURL: `${suite.gw.url}/anthropic/v1`, maxRetries: 0 });
  const err = await client.messages.create({ model: 'claude-test', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Anthropic.NotFoundError);
  expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toEqual({
    type: 'error',
    error: { type: 'not_found_error', message: 'Unknown route: POST /v1/v1/messages. Did you mean POST /ai/anthropic/v1/messages?' },
  });
  expect(suite.upstream.requests).toHaveLength(0);
});

test('a passthrough path without /v1 gets the hint for its own method; a path of no route gets none', async () => {
  const get = (path: string) => fetch(`${suite.gw.url}/openai${path}`, { headers: { authorization: 'Bearer user-token-alice' } });
  const messageOf = async (r: Response): Promise<string> => ((await r.json()) as { error: { message: string } }).error.message;
  const models = await get('/models?limit=2');
  expect(models.status).toBe(404);
  expect(await messageOf(models)).toBe('Unknown route: GET /models. Did you mean GET /ai/openai/v1/models?');
  const nothing = await get('/v1/nothing-here');
  expect(nothing.status).toBe(404);
  expect(await messageOf(nothing)).toBe('Unknown route: GET /v1/nothing-here');
  // GET on a bridged route is no route either: no hint that would lead to another 404.
  const wrongMethod = await get('/chat/completions');
  expect(await messageOf(wrongMethod)).toBe('Unknown route: GET /chat/completions');
  expect(suite.upstream.requests).toHaveLength(0);
});
