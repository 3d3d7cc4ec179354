/** Ambiguous paths (dot segments in any encoding, encoded separators, `;` parameters) → OpenAI-shaped 404, nothing upstream. */
import { openaiProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

const suite = bridgeSuite((url) => ({ providers: [openaiProvider({ keys: ['sk-1'], baseURL: url })] }));

// Ways of writing a `..` (or `.`) segment that some layer between here and the upstream could resolve.
const DOTS = [
  '..', '.', '.%2e', '%2e.', '%2e%2e', '%2E%2E', '%2e', '%252e%252e', '%25252e%25252e', '..;', '..;x=1', '.;',
  '%EF%BC%8E%EF%BC%8E', '%EF%BC%8E.', '%EF%BC%8E', '%E2%80%A4%E2%80%A4', '%E2%80%A5', '%25EF%25BC%258E%25EF%25BC%258E',
  '%ef%bc%8e%ef%bc%8e',
];
// Separators that are not a plain `/` in the raw path.
const SEPARATORS = ['..%2f..', '..%2F..', '..%5c..', '..%255c..', '..%252f..', '..\\..', '%2e%2e%2f%2e%2e', '..%EF%BC%8F..', 'a%2fb', 'a\\b'];
const OTHER = ['gpt-4o;jsessionid=1', 'a%00b', '%zz', '%ff'];

const SEGMENTS = [...DOTS, ...SEPARATORS, ...OTHER];

const CASES: Array<[method: string, path: string]> = SEGMENTS.flatMap((s) => [
  ['GET', `/openai/v1/models/${s}`] as [string, string],
  ['GET', `/openai/v1/models/${s}%2f${s}%2fadmin`] as [string, string],
  ['GET', `/openai/v1/models/${s}/${s}/organization/admin_api_keys`] as [string, string],
  ['POST', `/openai/v1/conversations/c1/${s}/${s}/organization/admin_api_keys`] as [string, string],
  ['DELETE', `/openai/v1/conversations/${s}`] as [string, string],
  ['POST', `/openai/v1/chat/${s}/chat/completions`] as [string, string],
  ['POST', `/openai/v1/chat/completions/${s}`] as [string, string],
]);

function expectOpenAI404(status: number, body: string) {
  expect(status).toBe(404);
  const json = JSON.parse(body);
  expect(Object.keys(json)).toEqual(['error']);
  expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'type']);
  expect(json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_path' });
}

test.each(CASES)('%s %s → 404 in OpenAI shape, nothing upstream', async (method, path) => {
  const body = method === 'POST' ? JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) : undefined;
  const res = await rawRequest(suite.gw.url, method, path, { 'x-user-token': 'user-token-alice', 'content-type': 'application/json' }, body);
  expectOpenAI404(res.status, res.body);
  expect(suite.upstream.requests).toHaveLength(0);
});

test.each([
  ['/openai/v1/models/gpt-3.5-turbo', '/v1/models/gpt-3.5-turbo'],
  ['/openai/v1/models/ft:gpt-4o:org:x', '/v1/models/ft:gpt-4o:org:x'],
  ['/openai/v1/models/a...b', '/v1/models/a...b'],
  ['/openai/v1/models/caf%C3%A9', '/v1/models/caf%C3%A9'],
])('%s stays allowed and is forwarded as sent', async (path, upstreamPath) => {
  const res = await rawRequest(suite.gw.url, 'GET', path, { 'x-user-token': 'user-token-alice' });
  expect(res.status).toBe(200);
  expect(suite.upstream.requests.map((r) => r.url)).toEqual([upstreamPath]);
});

test('an unsafe path is refused before the actor is asked (no 401 oracle) and before shutdown checks', async () => {
  const res = await rawRequest(suite.gw.url, 'GET', '/openai/v1/models/%252e%252e', {});
  expectOpenAI404(res.status, res.body);
});
