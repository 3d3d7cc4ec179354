/**
 * Copilot headers and BYOK, the bridged APIs: chat completions, Responses and Anthropic Messages through the real
 * SDKs, blocking and streamed, with tool injection; the client's token and Copilot headers reach the upstream; the
 * token never reaches a record, a log, a dump or a span; upstream errors relayed; a client leaving cuts the call.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { script } from '../../lib/testing';
import { chatCompletion, chunk } from '../../lib/testing/fixtures';
import { eventually } from '../helpers/gateway';
import { TestInjector } from '../helpers/test-injector';
import { dumpFolders, everyByte } from '../helpers/dump-files';
import { TOKEN, TOKEN_HINT, copilotSuite, question } from '../helpers/copilot-suite';

const s = copilotSuite();

test('chat completions, blocking: sent to /chat/completions with the token and Copilot headers; recorded as BYOK under kind copilot', async () => {
  s.upstream.inner.behaviour = script([{ text: 'Five.' }]);
  const answer = await s.openai().chat.completions.create(question);
  expect(answer.choices[0].message.content).toBe('Five.');
  s.expectTokenAndHeaders(1);
  expect(s.upstream.requests[0]).toMatchObject({ method: 'POST', url: '/chat/completions' });
  await s.ended();
  expect(s.gw.recorder.interceptions[0]).toMatchObject({ provider: 'copilot', providerName: 'copilot', route: '/v1/chat/completions', credentialKind: 'byok', model: 'gpt-4.1' });
  expect(s.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect(s.gw.recorder.interceptionEnds[0].credentialHint).toBe(TOKEN_HINT);
  // The attempt was dumped, its credential shown by its hint only.
  await eventually(() => expect(everyByte(s.dumps)).toContain('Bearer tid=...b8d6'));
  expect(dumpFolders(s.dumps).length).toBeGreaterThan(0);
  s.expectTokenNowhere();
});

test('chat completions, streamed: the events reach the client, the usage is recorded', async () => {
  s.upstream.inner.behaviour = script([{ text: 'It is five.', usage: { input: 12, output: 4 } }]);
  const stream = await s.openai().chat.completions.create({ ...question, stream: true, stream_options: { include_usage: true } });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('It is five.');
  s.expectTokenAndHeaders(1);
  await s.ended();
  expect(s.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'completed', httpStatus: 200 });
  expect(s.gw.recorder.tokenUsages[0]).toMatchObject({ input: 12, output: 4 });
  s.expectTokenNowhere();
});

test('Responses, blocking and streamed: sent to /responses', async () => {
  s.upstream.inner.behaviour = script([{ text: 'Blocking five.' }, { text: 'Streamed five.' }]);
  const blocking = await s.openai().responses.create({ model: 'gpt-4.1', input: 'What is 2+3?' });
  expect(blocking.output_text).toBe('Blocking five.');
  const stream = await s.openai().responses.create({ model: 'gpt-4.1', input: 'What is 2+3?', stream: true });
  let text = '';
  for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
  expect(text).toBe('Streamed five.');
  s.expectTokenAndHeaders(2);
  expect(s.upstream.requests.map((r) => r.url)).toEqual(['/responses', '/responses']);
  await s.ended(2);
  expect(s.gw.recorder.interceptions.map((i) => i.route)).toEqual(['/v1/responses', '/v1/responses']);
  s.expectTokenNowhere();
});

test('Anthropic Messages with the Anthropic SDK, blocking and streamed: sent to /v1/messages, the token as a bearer', async () => {
  s.upstream.inner.behaviour = script([{ text: 'Five, blocking.' }, { text: 'Five, streamed.' }]);
  const blocking = await s.anthropic().messages.create({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'What is 2+3?' }] });
  expect(blocking.content).toEqual([expect.objectContaining({ type: 'text', text: 'Five, blocking.' })]);
  const final = await s.anthropic().messages.stream({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'What is 2+3?' }] }).finalMessage();
  expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'Five, streamed.' })]);
  s.expectTokenAndHeaders(2);
  expect(s.upstream.requests.map((r) => r.url)).toEqual(['/v1/messages', '/v1/messages']);
  await s.ended(2);
  expect(s.gw.recorder.interceptions[0]).toMatchObject({ provider: 'copilot', route: '/v1/messages', credentialKind: 'byok' });
  s.expectTokenNowhere();
});

test('an Anthropic SDK given the token as its API key: it still goes upstream as a bearer token, never as x-api-key', async () => {
  s.upstream.inner.behaviour = script([{ text: 'Five.' }]);
  const answer = await s.anthropic({ apiKey: TOKEN, authToken: null }).messages.create({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.content[0]).toMatchObject({ text: 'Five.' });
  s.expectTokenAndHeaders(1);
});

test('metrics and spans name the provider copilot and the credential byok, never the token', async () => {
  s.upstream.inner.behaviour = script([{ text: 'Five.' }]);
  await s.openai().chat.completions.create(question);
  await s.ended();
  const scraped = await s.registry.metrics();
  expect(scraped).toMatch(/aibridge_interceptions_total\{[^}]*provider="copilot"[^}]*api="chat-completions"[^}]*status="completed"/);
  expect(scraped).not.toContain(TOKEN);
  await eventually(() => expect(s.spans.getFinishedSpans().length).toBeGreaterThan(0));
  const bridged = s.spans.getFinishedSpans().find((span) => span.attributes['aibridge.provider'] === 'copilot');
  expect(bridged?.attributes).toMatchObject({ 'aibridge.credential.kind': 'byok' });
  expect(s.spans.getFinishedSpans().map((span) => span.attributes)).toContainEqual(expect.objectContaining({ 'aibridge.credential.hint': TOKEN_HINT }));
  s.expectTokenNowhere();
});

describe('upstream answers', () => {
  test('an answer that echoes the token reaches the client, the records and the logs redacted', async () => {
    s.upstream.inner.behaviour = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(chatCompletion({ choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `You sent ${String(req.headers.authorization)}` } }] })));
    };
    const answer = await s.openai().chat.completions.create(question);
    expect(answer.choices[0].message.content).toMatch(/^You sent Bearer /);
    expect(answer.choices[0].message.content).not.toContain(TOKEN);
    s.expectTokenAndHeaders(1);
    await s.ended();
    s.expectTokenNowhere();
  });

  test('Copilot refusing the token (expired): its 401 relayed as it came, one attempt, the token never in it', async () => {
    s.upstream.inner.behaviour = (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'unauthorized: token expired', type: 'invalid_request_error', code: 'token_expired' } }));
    };
    const err = await s.openai().chat.completions.create(question).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({ message: 'unauthorized: token expired', code: 'token_expired' });
    s.expectTokenAndHeaders(1);
    await s.ended();
    expect(s.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 401 });
    s.expectTokenNowhere();
  });

  test('Anthropic Messages: the upstream\'s own Anthropic-shaped error relayed to the Anthropic SDK', async () => {
    s.upstream.inner.behaviour = script([{ error: { status: 400, message: 'model claude-x is not supported' } }]);
    const err = await s.anthropic().messages.create({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { message: 'model claude-x is not supported' } });
  });

  test('a client leaving mid-stream: the upstream call is cut, the interception ends aborted', async () => {
    let cut!: Promise<void>;
    s.upstream.inner.behaviour = (req, res) => {
      cut = req.closedEarly;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: 'Still ' }))}\n\n`); // and never ends
    };
    const controller = new AbortController();
    const stream = await s.openai().chat.completions.create({ ...question, stream: true }, { signal: controller.signal });
    for await (const part of stream) {
      expect(part.choices[0]?.delta?.content).toBe('Still ');
      controller.abort();
    }
    let timer: NodeJS.Timeout | undefined;
    const stillOpen = new Promise((r) => { timer = setTimeout(() => r('still open'), 2000); });
    await expect(Promise.race([cut.then(() => 'cut'), stillOpen]).finally(() => clearTimeout(timer))).resolves.toBe('cut');
    await s.ended();
    expect(s.gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted' });
  });
});

describe('tool injection', () => {
  beforeEach(() => {
    s.injector.tools = [...(new TestInjector().tools)];
  });
  const steps = () => script([{ toolCalls: [{ name: 'bmcp_calc_add', arguments: { a: 2, b: 3 } }] }, { text: 'The answer is 5.' }]);

  test('chat completions: the injected tool runs in the bridge, both calls carry the token, the client sees the answer only', async () => {
    s.upstream.inner.behaviour = steps();
    const answer = await s.openai().chat.completions.create(question);
    expect(answer.choices[0].message).toMatchObject({ content: 'The answer is 5.' });
    expect(answer.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(s.injector.calls.map((c) => [c.name, c.arguments])).toEqual([['bmcp_calc_add', { a: 2, b: 3 }]]);
    expect(s.injector.calls[0].ctx).toMatchObject({ providerName: 'copilot', actor: { id: 'alice' } });
    s.expectTokenAndHeaders(2);
    expect(s.upstream.requests[1].body).toContain('"5"');
    await s.ended();
    expect(s.gw.recorder.toolUsages).toEqual([expect.objectContaining({ tool: 'bmcp_calc_add', injected: true })]);
    s.expectTokenNowhere();
  });

  test('Responses, streamed: the tool call is hidden, the answer streamed', async () => {
    s.upstream.inner.behaviour = steps();
    const stream = await s.openai().responses.create({ model: 'gpt-4.1', input: 'What is 2+3?', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('The answer is 5.');
    expect(s.injector.calls.map((c) => c.name)).toEqual(['bmcp_calc_add']);
    s.expectTokenAndHeaders(2);
    expect(s.upstream.requests.map((r) => r.url)).toEqual(['/responses', '/responses']);
  });

  test('Anthropic Messages, streamed: the tool_use block is hidden, the answer streamed', async () => {
    s.upstream.inner.behaviour = steps();
    const final = await s.anthropic().messages.stream({ model: 'claude-sonnet-4', max_tokens: 256, messages: [{ role: 'user', content: 'What is 2+3?' }] }).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'The answer is 5.' })]);
    expect(s.injector.calls.map((c) => c.name)).toEqual(['bmcp_calc_add']);
    s.expectTokenAndHeaders(2);
    expect(s.upstream.requests.map((r) => r.url)).toEqual(['/v1/messages', '/v1/messages']);
    s.expectTokenNowhere();
  });
});
