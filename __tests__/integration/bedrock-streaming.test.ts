/**
 * bedrockProvider, streamed: Bedrock's event-stream frames reach the client as the SSE the Anthropic API sends (event
 * by event, byte for byte), thinking and usage recorded; a mid-stream exception ends it with one Anthropic error event.
 */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider, bedrockProvider } from '../../lib';
import { anthropicScript, anthropicStream, transcript } from '../helpers/anthropic-script';
import { ACCESS_KEYS, startFakeBedrock, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0';
let bedrock: FakeBedrock;
let gw: Gateway;

beforeAll(async () => {
  bedrock = await startFakeBedrock({ credentials: [ACCESS_KEYS] });
  gw = await startGateway({
    providers: [
      bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS, models: { 'claude-by-arn': ARN } }),
      // The same transcripts straight from the Anthropic fake: what the Anthropic API would have sent.
      anthropicProvider({ baseURL: bedrock.inner.origin, keys: ['sk-ant-direct-000000000000000001'] }),
    ],
  });
});
afterAll(async () => {
  await gw.close();
  await bedrock.close();
});
beforeEach(() => {
  bedrock.requests.length = 0;
  bedrock.inner.behaviour = undefined;
  bedrock.streamException = undefined;
  gw.recorder.clear();
});

const client = () => new Anthropic({ apiKey: 'unused', baseURL: `${gw.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } });
const body = (model = 'claude-test-sonnet') => ({ model, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hallo!' }] });

/** The raw SSE text a client gets from provider `name`. */
async function rawStream(name: string, json: object, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.url}/${name}/v1/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice', ...headers }, body: JSON.stringify(json),
  });
  return { status: res.status, text: await res.text() };
}

const events = (sse: string) => sse.split('\n\n').filter((e) => e !== '').map((e) => `${e}\n\n`);

test('a scripted stream: the client gets, event by event, what the Anthropic API sends for it', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'Grüß dich! 👋' }]);
  const viaBedrock = await rawStream('bedrock', body());
  bedrock.inner.behaviour = anthropicScript([{ text: 'Grüß dich! 👋' }]);
  const direct = await rawStream('anthropic', body());
  expect(viaBedrock.status).toBe(200);
  expect(events(viaBedrock.text)).toEqual(events(direct.text));
  expect(viaBedrock.text).toBe(anthropicStream({ text: 'Grüß dich! 👋' }, 0));
  // Bedrock's invocation metrics on message_stop are not passed on: Anthropic's has none.
  expect(viaBedrock.text).not.toContain('amazon-bedrock-invocationMetrics');
  expect(bedrock.requests[0].path).toBe('/model/claude-test-sonnet/invoke-with-response-stream');
  expect(bedrock.requests[0].headers.accept).toBe('application/vnd.amazon.eventstream');
});

test('thinking (a recorded transcript, unicode split across frames): same bytes as the Anthropic API, thoughts and tokens recorded', async () => {
  bedrock.inner.behaviour = anthropicScript([{ fixture: 'thinking-text' }]);
  const stream = client().messages.stream({ model: 'claude-test-sonnet', max_tokens: 256, thinking: { type: 'enabled', budget_tokens: 128 }, messages: [{ role: 'user', content: 'Hallo!' }] });
  const final = await stream.finalMessage();
  expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text']);
  const { text } = await rawStream('bedrock', body());
  expect(text).toBe(transcript('thinking-text'));
  expect(bedrock.requests[0].json).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 128 } });
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
  const first = gw.recorder.interceptions[0].id;
  expect(gw.recorder.modelThoughts.filter((t) => t.interceptionId === first).map((t) => t.content).join('')).toContain('grüß zurück');
  const usage = gw.recorder.tokenUsages.filter((u) => u.interceptionId === first);
  expect(usage).toHaveLength(1);
  expect(usage[0]).toMatchObject({ msgId: 'msg_fx_thinking', input: 31 });
  expect(usage[0].output).toBeGreaterThan(1);
  expect(gw.recorder.interceptionEnds.map((e) => e.status)).toEqual(['completed', 'completed']);
});

test.each([
  ['modelStreamErrorException', 'api_error', 'server_error'],
  ['throttlingException', 'rate_limit_error', 'rate_limited'],
  ['internalServerException', 'api_error', 'server_error'],
  ['validationException', 'invalid_request_error', 'bad_request'],
])('a mid-stream %s becomes one Anthropic error event (%s), the stream ends, the interception failed', async (type, anthropicType, errorType) => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'This answer will be cut short by the upstream.' }]);
  bedrock.streamException = { afterEvents: 4, type, message: `Bedrock says: ${type}` };
  const { status, text } = await rawStream('bedrock', body());
  expect(status).toBe(200);
  const got = events(text);
  expect(got.slice(0, 4).map((e) => e.split('\n')[0])).toEqual(['event: message_start', 'event: ping', 'event: content_block_start', 'event: content_block_delta']);
  expect(got).toHaveLength(5);
  expect(got[4]).toBe(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: anthropicType, message: `Bedrock says: ${type}` } })}\n\n`);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType });
});

test('the SDK sees a mid-stream exception as an error, not a clean end', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'cut' }]);
  bedrock.streamException = { afterEvents: 2, type: 'modelStreamErrorException', message: 'The model stream failed.' };
  const stream = client().messages.stream({ model: 'claude-test-sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
  await expect(stream.finalMessage()).rejects.toThrow(/The model stream failed/);
});

test('an inference-profile ARN goes percent-encoded in the path; the signature holds; the record keeps both names', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'Via a profile.' }]);
  const final = await client().messages.stream({ model: 'claude-by-arn', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  expect(final.content).toEqual([{ type: 'text', text: 'Via a profile.' }]);
  expect(bedrock.requests[0].path).toBe(`/model/${encodeURIComponent(ARN)}/invoke-with-response-stream`);
  expect(bedrock.requests[0].modelId).toBe(ARN);
  expect(bedrock.requests[0].auth).toMatchObject({ kind: 'sigv4' });
  await eventually(() => expect(gw.recorder.interceptions).toHaveLength(1));
  expect(gw.recorder.interceptions[0]).toMatchObject({ model: 'claude-by-arn', upstreamModel: ARN, streaming: true });
});

test('betas: only those Bedrock accepts go, in the body; Claude Code\'s query string and Anthropic headers stay behind', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'ok' }]);
  const res = await fetch(`${gw.url}/bedrock/v1/messages?beta=true`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'x-user-token': 'user-token-alice', 'anthropic-version': '2023-06-01',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14, oauth-2025-04-20,fine-grained-tool-streaming-2025-05-14',
      'anthropic-dangerous-direct-browser-access': 'true', 'x-api-key': 'sk-ant-client-000000000000001',
    },
    body: JSON.stringify({ ...body(), service_tier: 'auto', metadata: { user_id: 'u-1' } }),
  });
  expect(res.status).toBe(200);
  await res.text();
  const [r] = bedrock.requests;
  expect(r.url).toBe('/model/claude-test-sonnet/invoke-with-response-stream');
  expect(r.auth).toMatchObject({ kind: 'sigv4' });
  expect(r.json!.anthropic_beta).toEqual(['interleaved-thinking-2025-05-14', 'fine-grained-tool-streaming-2025-05-14']);
  expect(r.json).not.toHaveProperty('service_tier');
  expect(r.json!.metadata).toEqual({ user_id: 'u-1' });
  expect(Object.keys(r.headers).filter((h) => h.startsWith('anthropic-') || h === 'x-api-key')).toEqual([]);
});

test('no beta Bedrock accepts: no anthropic_beta at all', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'ok' }]);
  await rawStream('bedrock', body(), { 'anthropic-beta': 'claude-code-20250219' });
  expect(bedrock.requests[0].json).not.toHaveProperty('anthropic_beta');
});

test('a client that leaves mid-stream: the Bedrock stream is closed, the interception ends aborted', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'A long answer that the client will not wait for, word by word by word by word.' }]);
  bedrock.frameDelayMs = 50;
  const closedBefore = bedrock.streams.closedEarly;
  try {
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/bedrock/v1/messages`, {
      method: 'POST', signal: controller.signal, headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' }, body: JSON.stringify(body()),
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toContain('event: message_start');
    controller.abort();
    await eventually(() => expect(bedrock.streams.closedEarly).toBe(closedBefore + 1));
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'aborted', errorType: 'aborted' });
  } finally {
    bedrock.frameDelayMs = 0;
  }
});

test('an exception as the stream\'s first frame: the HTTP error it means (429 rate_limit_error), not a 200 holding one error event', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'never sent' }]);
  bedrock.streamException = { afterEvents: 0, type: 'throttlingException', message: 'Too many tokens, please wait before trying again.' };
  const { status, text } = await rawStream('bedrock', body());
  expect(status).toBe(429);
  // As for an HTTP 429 on the only credential: it cools, and the client is told that every key is rate-limited.
  expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
  expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', errorType: 'rate_limited', httpStatus: 429 });
});
