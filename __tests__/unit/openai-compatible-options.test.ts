// openaiCompatibleProvider's options (each error names its option) and Azure's addressing.
import { openaiCompatibleProvider, staticKey } from '../../lib';
import { azureBaseURL, withApiVersion } from '../../lib/providers/openai-compatible/azure-routes';

const base = { name: 'compat', baseURL: 'http://127.0.0.1:8000/v1' };
const make = (o: Record<string, unknown>) => () => openaiCompatibleProvider(o as never);

test.each([
  [{ baseURL: base.baseURL }, /option `name` is required/],
  [{ name: 'compat' }, /option `baseURL` is required/],
  [{ ...base, headers: { Authorization: 'Bearer x' } }, /option `headers.Authorization` carries a credential/],
  [{ ...base, headers: { 'api-key': 'x' } }, /option `headers.api-key` carries a credential/],
  [{ ...base, headers: { 'content-length': '1' } }, /option `headers.content-length` is set by the bridge/],
  [{ ...base, headers: { 'x-title': 'a\r\nx-evil: 1' } }, /option `headers.x-title` must be a string of printable ASCII/],
  [{ ...base, headers: { 'X-Title': 'a', 'x-title': 'b' } }, /option `headers.x-title` is given twice/],
  [{ ...base, headers: { 'bad name': 'a' } }, /option `headers.bad name` is not a valid header name/],
  [{ ...base, keys: ['k'], azure: { apiVersion: 'latest' } }, /option `azure.apiVersion` must be "v1", "preview" or a dated/],
  [{ ...base, keys: ['k'], azure: { apiVersion: 'v1', deployments: { a: 'b' } } }, /option `azure.deployments` applies to dated API versions only/],
  [{ ...base, keys: ['k'], azure: { apiVersion: '2024-10-21', deployments: { a: 'b/c' } } }, /option `azure.deployments.a` must be a deployment name/],
  [{ ...base, keys: ['k'], azure: { apiVersion: '2024-10-21', deployment: {} } }, /option `azure.deployment` is not a known option; did you mean `azure.deployments`/],
  [{ ...base, azure: { apiVersion: 'v1' } }, /option `keys` is required with `azure`/],
  [{ ...base, includeUsage: 'no' }, /option `includeUsage` must be a boolean/],
  [{ ...base, organization: 'org-1' }, /option `organization` is not a known option/],
])('rejected: %j', (options, message) => {
  expect(make(options)).toThrow(message);
});

test('keyless: one entry without a secret, sending no auth header; static headers, lower-cased, on every credential', () => {
  const p = openaiCompatibleProvider({ ...base, headers: { 'X-Title': 'App' } });
  expect(p.credentials.entries).toEqual([expect.objectContaining({ hint: 'no key', secrets: [] })]);
  // Key state is kept by entry id: another keyless server's cooldown is its own.
  expect(openaiCompatibleProvider({ ...base, name: 'other' }).credentials.entries[0].id).not.toBe(p.credentials.entries[0].id);
  expect(p.credentialHeaders(p.credentials.current(0) as ReturnType<typeof staticKey>, 'centralized')).toEqual({ 'x-title': 'App' });
  expect(p.clientCredential({ authorization: 'Bearer mine' })).toEqual({ key: 'mine', headers: { 'x-title': 'App', authorization: 'Bearer mine' } });
  expect(p.kind).toBe('openai-compatible');
  expect(p.prepareRequest).toBeUndefined();
  expect(p.upstreamPath).toBeUndefined();
});

test('Azure: keys as api-key (pool and BYOK, either header form); kind azure-openai', () => {
  const p = openaiCompatibleProvider({ ...base, baseURL: 'https://r.openai.azure.com', keys: ['az-1'], azure: { apiVersion: 'v1' } });
  expect(p.credentialHeaders(staticKey('az-1'), 'centralized')).toEqual({ 'api-key': 'az-1' });
  expect(p.clientCredential({ 'api-key': 'mine' })?.headers).toEqual({ 'api-key': 'mine' });
  expect(p.clientCredential({ authorization: 'Bearer mine' })?.headers).toEqual({ 'api-key': 'mine' });
  expect(p.kind).toBe('azure-openai');
  expect(p.baseURL).toBe('https://r.openai.azure.com/openai/v1');
  expect(p.prepareRequest).toBeUndefined();
});

test('Azure base URLs: the resource endpoint, with or without the /openai suffix Azure\'s docs show', () => {
  const v1 = { v1: true, apiVersionParam: undefined, deployments: new Map() };
  const classic = { v1: false, apiVersionParam: 'api-version=2024-10-21', deployments: new Map() };
  for (const given of ['https://r.openai.azure.com', 'https://r.openai.azure.com/openai', 'https://r.openai.azure.com/openai/v1']) {
    expect(azureBaseURL(given, v1)).toBe('https://r.openai.azure.com/openai/v1');
    expect(azureBaseURL(given, classic)).toBe('https://r.openai.azure.com/openai');
  }
});

test('api-version replaces the client\'s and keeps the rest of the query', () => {
  expect(withApiVersion('', 'api-version=1')).toBe('api-version=1');
  expect(withApiVersion('a=1&api-version=old&b=2', 'api-version=1')).toBe('a=1&b=2&api-version=1');
  expect(withApiVersion('api-version', 'api-version=1')).toBe('api-version=1');
});

test('classic Azure maps the chat route to the model\'s deployment, percent-encoded; other routes keep their path', () => {
  const p = openaiCompatibleProvider({ ...base, baseURL: 'https://r.openai.azure.com', keys: ['az-1'], azure: { apiVersion: '2024-10-21', deployments: { 'gpt-4o': 'prod' } } });
  const chat = p.apis.find((a) => a.name === 'chat-completions')!;
  const responses = p.apis.find((a) => a.name === 'responses')!;
  const call = (model: string) => ({ model, streaming: false, prompt: undefined, conversation: () => { throw new Error('unused'); } });
  expect(p.upstreamPath!({ api: chat, call: call('gpt-4o'), path: '/chat/completions' })).toBe('/deployments/prod/chat/completions');
  expect(p.upstreamPath!({ api: chat, call: call('my model'), path: '/chat/completions' })).toBe('/deployments/my%20model/chat/completions');
  expect(p.upstreamPath!({ api: responses, call: call('gpt-4o'), path: '/responses' })).toBe('/responses');
});

test('Azure "preview": v1 paths with api-version=preview on every attempt; "v1" sends none', async () => {
  const p = openaiCompatibleProvider({ ...base, baseURL: 'https://r.openai.azure.com', keys: ['az-1'], azure: { apiVersion: 'preview' } });
  expect(p.baseURL).toBe('https://r.openai.azure.com/openai/v1');
  expect(p.upstreamPath).toBeUndefined();
  const request = { method: 'POST', path: '/openai/v1/chat/completions', query: 'x=1', headers: {}, body: Buffer.alloc(0) };
  const ctx = { credential: {} as never, now: new Date(), signal: new AbortController().signal };
  expect((await p.prepareRequest!(request, ctx)).query).toBe('x=1&api-version=preview');
});
