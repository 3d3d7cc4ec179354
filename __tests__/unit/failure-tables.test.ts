/** The providers' tables of upstream error wording: which 401/403/429 answers are the key's and which the request's. */
import { Readable } from 'node:stream';
import { classifyAnthropicFailure, ANTHROPIC_FAILURES } from '../../lib/providers/anthropic-failures';
import { classifyByStatus, errorFacts, FAILURE_PREFIX_BYTES } from '../../lib/keypool/failure-table';
import { classifyOpenAIFailure, OPENAI_FAILURES } from '../../lib/providers/openai-failures';
import { readBodyPrefix } from '../../lib/http/body-prefix';

const openai = (message: string, type = 'invalid_request_error', code: string | null = null) => JSON.stringify({ error: { message, type, param: null, code } });
const anthropic = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message } });

describe('OpenAI table', () => {
  test.each([
    [429, openai('Request too large for gpt-4o in organization org-a on tokens per min (TPM): Limit 30000, Requested 52000.', 'tokens', 'rate_limit_exceeded'), 'request_fault'],
    [429, openai('Rate limit reached for gpt-4o in organization org-a on tokens per min (TPM): Limit 30,000, Used 100, Requested 52,000.', 'tokens', 'rate_limit_exceeded'), 'request_fault'],
    [429, openai('Rate limit reached for gpt-4o in organization org-a on tokens per min (TPM): Limit 30000, Used 29500, Requested 800.', 'tokens', 'rate_limit_exceeded'), 'key_failure'],
    [429, openai('Rate limit reached for gpt-4o in organization org-a on requests per min (RPM): Limit 500, Used 500, Requested 1.', 'requests', 'rate_limit_exceeded'), 'key_failure'],
    [429, openai("This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", 'invalid_request_error', 'context_length_exceeded'), 'request_fault'],
    // No quota is the account's state: every request fails, whatever it asks for.
    [429, openai('You exceeded your current quota, please check your plan and billing details. Request too large for nothing.', 'insufficient_quota', 'insufficient_quota'), 'key_failure'],
    [401, openai('You have insufficient permissions for this operation. Missing scopes: api.responses.write.'), 'scope_fault'],
    [403, openai('You have insufficient permissions for this operation. Missing scopes: api.model.read.'), 'scope_fault'],
    [401, openai('Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'), 'key_failure'],
    [403, openai('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'), 'request_fault'],
    [429, 'not json at all', 'key_failure'],
    [429, '', 'key_failure'],
  ])('%i %s → %s', (status, body, expected) => {
    expect(classifyOpenAIFailure(status, {}, body)).toBe(expected);
  });

  test('a body cut at the prefix bound is still read as text', () => {
    const body = openai(`Request too large for gpt-4o … ${'x'.repeat(FAILURE_PREFIX_BYTES)}`, 'tokens', 'rate_limit_exceeded');
    expect(classifyOpenAIFailure(429, {}, body.slice(0, FAILURE_PREFIX_BYTES))).toBe('request_fault');
  });

  test('every row matches its own example (the table documents itself)', () => {
    for (const rule of OPENAI_FAILURES) expect([rule.example, classifyOpenAIFailure(rule.statuses[0], {}, rule.example)]).toEqual([rule.example, rule.class]);
  });
});

describe('Anthropic table', () => {
  const ITPM = "This request would exceed your organization's rate limit of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.";
  const full = { 'anthropic-ratelimit-input-tokens-limit': '50000', 'anthropic-ratelimit-input-tokens-remaining': '50000' };
  test.each<[number, string, Record<string, string>, string]>([
    [429, anthropic('rate_limit_error', 'prompt is too long: 215000 tokens > 200000 maximum'), {}, 'request_fault'],
    [429, anthropic('request_too_large', 'Request exceeds the maximum allowed number of bytes.'), {}, 'request_fault'],
    [429, anthropic('rate_limit_error', ITPM), full, 'request_fault'],
    [429, anthropic('rate_limit_error', ITPM), { ...full, 'anthropic-ratelimit-input-tokens-remaining': '12000' }, 'unclear'],
    [429, anthropic('rate_limit_error', ITPM), {}, 'unclear'],
    [429, anthropic('rate_limit_error', 'Number of requests has exceeded your per-minute rate limit'), {}, 'key_failure'],
    [401, anthropic('authentication_error', 'invalid x-api-key'), {}, 'key_failure'],
    [403, anthropic('permission_error', 'Your API key does not have permission to use the specified resource.'), {}, 'request_fault'],
  ])('%i %s %j → %s', (status, body, headers, expected) => {
    expect(classifyAnthropicFailure(status, headers, body)).toBe(expected);
  });

  test('rows name their wording', () => {
    for (const rule of ANTHROPIC_FAILURES) expect(rule.example.length).toBeGreaterThan(10);
  });
});

describe('shared rules', () => {
  test('by status alone: 429 and 401 are key failures, anything else is relayed', () => {
    expect([429, 401, 403, 400, 500].map(classifyByStatus)).toEqual(['key_failure', 'key_failure', 'request_fault', 'request_fault', 'request_fault']);
  });

  test('statuses outside 401/403/429 are never judged by their body', () => {
    expect(classifyOpenAIFailure(400, {}, openai('You have insufficient permissions for this operation. Missing scopes: x'))).toBe('request_fault');
  });

  test('errorFacts reads both providers\' shapes and ignores values that are not strings', () => {
    expect(errorFacts(429, {}, openai('m', 't', 'c'))).toMatchObject({ message: 'm', type: 't', code: 'c' });
    expect(errorFacts(429, {}, anthropic('t', 'm'))).toMatchObject({ message: 'm', type: 't', code: '' });
    expect(errorFacts(429, {}, JSON.stringify({ error: { message: 5, type: {} } }))).toMatchObject({ message: '', type: '', code: '' });
    expect(errorFacts(429, {}, 'null')).toMatchObject({ message: 'null' });
  });
});

describe('readBodyPrefix', () => {
  const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)), { objectMode: false });
  const all = async (r: Readable) => {
    const out: Buffer[] = [];
    for await (const c of r) out.push(c as Buffer);
    return Buffer.concat(out).toString();
  };

  test('reads at most the bound, and the replay yields every byte once', async () => {
    const { prefix, body } = await readBodyPrefix(chunks('abc', 'def', 'ghi', 'jkl'), 5);
    expect(prefix.toString()).toBe('abcde');
    expect(await all(body)).toBe('abcdefghijkl');
  });

  test('a short body is read whole', async () => {
    const { prefix, body } = await readBodyPrefix(chunks('ab'), 100);
    expect(prefix.toString()).toBe('ab');
    expect(await all(body)).toBe('ab');
  });

  test('a body that fails is not thrown by the peek; the replay yields the prefix, then the error', async () => {
    const failing = new Readable({ read() {} });
    failing.push(Buffer.from('par'));
    setImmediate(() => failing.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' })));
    const { prefix, body } = await readBodyPrefix(failing, 100);
    expect(prefix.toString()).toBe('par');
    const seen: string[] = [];
    await expect((async () => {
      for await (const c of body) seen.push(String(c));
    })()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(seen).toEqual(['par']);
  });

  test('destroying the replay before its end destroys the source', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from('abcdef'));
    const { body } = await readBodyPrefix(source, 3);
    body.destroy();
    await new Promise((resolve) => source.once('close', resolve));
    expect(source.destroyed).toBe(true);
  });
});
