/** The provider seams a host writes against: the passthrough option, an open provider kind, the decoding helpers. */
import { Readable } from 'node:stream';
import {
  BAD_UPSTREAM_FRAMING, GatewayError, MAX_EVENT_BYTES, anthropicProvider, createBridge, decodedStream, openaiProvider, passthroughRule,
  rewrittenBody, type UpstreamResponse,
} from '../../lib';
import { frame, framesToSse } from '../helpers/signed-frames';

const actor = () => ({ id: 'u' });
const patterns = (rules: readonly { pattern: string }[]) => rules.map((r) => r.pattern);

describe('the passthrough allowlist is provider data', () => {
  test('routes are added and removed by pattern; the added ones match and own what they say', () => {
    const p = openaiProvider({ keys: ['sk-1'], passthrough: { remove: ['/v1/models/:id'], add: [{ methods: ['GET', 'DELETE'], pattern: '/v1/files/:id', owns: 'response' }] } });
    expect(patterns(p.passthrough)).not.toContain('/v1/models/:id');
    expect(patterns(p.passthrough)).toContain('/v1/models');
    const files = p.passthrough.find((r) => r.pattern === '/v1/files/:id')!;
    expect(files.matches('/v1/files/file_1')).toBe(true);
    expect(files.methods.has('DELETE')).toBe(true);
    expect(files.owned?.('/v1/files/file_1')).toEqual({ kind: 'response', id: 'file_1' });
  });

  test('a function replaces the list; returning [] closes every passthrough route', () => {
    expect(anthropicProvider({ keys: ['k'], passthrough: () => [] }).passthrough).toEqual([]);
    const only = openaiProvider({ keys: ['sk-1'], passthrough: (defaults) => defaults.filter((r) => r.pattern === '/v1/models') });
    expect(patterns(only.passthrough)).toEqual(['/v1/models']);
    expect(patterns(openaiProvider({ keys: ['sk-1'], passthrough: () => [passthroughRule(['GET'], '/v1/batches')] }).passthrough)).toEqual(['/v1/batches']);
  });

  test.each([
    [{ remove: ['/v1/nope'] }, /passthrough.remove\[0\]` must be one of the provider's routes: \/v1\/models/],
    [{ add: [{ methods: ['GET'], pattern: '/v1/../admin' }] }, /passthrough.add\[0\].pattern/],
    [{ add: [{ methods: ['GET'], pattern: 'v1/files' }] }, /passthrough.add\[0\].pattern/],
    [{ add: [{ methods: ['TRACE'], pattern: '/v1/files' }] }, /passthrough.add\[0\].methods/],
    [{ add: [{ methods: ['GET'], pattern: '/v1/files', owns: 'response' }] }, /passthrough.add\[0\].owns` needs a `:param`/],
    [{ add: [{ methods: ['GET'], pattern: '/v1/files', path: '/x' }] }, /passthrough.add\[0\].path` is not an option/],
    [{ allow: [] }, /passthrough.allow` is not an option/],
    [() => [{ pattern: '/v1/x' }], /passthrough` must return an array of rules/],
    ['all', /passthrough` must be \{ add\?, remove\? \}/],
  ])('%j is refused at creation, naming the option', (passthrough, message) => {
    expect(() => openaiProvider({ keys: ['sk-1'], passthrough: passthrough as never })).toThrow(message);
  });
});

describe('ProviderKind is open', () => {
  test('a host kind is accepted; one that is not a short name is refused at createBridge', () => {
    const own = { ...openaiProvider({ keys: ['sk-1'] }), kind: 'bedrock-eu' };
    expect(() => createBridge({ providers: [own], actor })).not.toThrow();
    for (const kind of ['Bedrock', 'a b', 'x'.repeat(65), 7]) {
      expect(() => createBridge({ providers: [{ ...openaiProvider({ keys: ['sk-1'] }), kind: kind as string }], actor })).toThrow(/`kind` is not a name/);
    }
  });
});

function response(chunks: Buffer[], headers: Record<string, string> = {}, status = 200): UpstreamResponse {
  const body = Readable.from(chunks);
  return { status, headers: { 'content-length': '99', ...headers }, body, discard: () => body.destroy() };
}

async function read(res: UpstreamResponse): Promise<string> {
  let out = '';
  for await (const c of res.body) out += (c as Buffer).toString();
  return out;
}

describe('response decoding helpers', () => {
  test('decodedStream re-frames the body, says text/event-stream and drops the old length', async () => {
    const bytes = Buffer.concat([frame('{"a":1}'), frame('[DONE]', 'done')]);
    // Split at every awkward place: inside the prefix, at its end, inside the payload.
    const res = decodedStream(response([bytes.subarray(0, 2), bytes.subarray(2, 4), bytes.subarray(4, 9), bytes.subarray(9)]), framesToSse);
    expect(res.headers).toEqual({ 'content-type': 'text/event-stream' });
    expect(await read(res)).toBe('data: {"a":1}\n\nevent: done\ndata: [DONE]\n\n');
  });

  test('what a decoder throws becomes one 502 bad_upstream_framing; a GatewayError keeps its own words', async () => {
    await expect(read(decodedStream(response([Buffer.from([0, 0, 0, 2]), Buffer.from('{]')]), framesToSse))).rejects.toBe(BAD_UPSTREAM_FRAMING);
    const hostile = Buffer.alloc(4);
    hostile.writeUInt32BE(MAX_EVENT_BYTES + 1);
    const err = await read(decodedStream(response([hostile]), framesToSse)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('frame_too_large');
  });

  test('destroying the decoded body destroys the upstream body', async () => {
    const upstream = new Readable({ read() {} });
    const res = decodedStream({ status: 200, headers: {}, body: upstream, discard: () => upstream.destroy() }, framesToSse);
    res.discard();
    await new Promise((r) => setImmediate(r));
    expect(upstream.destroyed).toBe(true);
  });

  test('rewrittenBody rewrites a whole error body as JSON, bounded', async () => {
    const res = rewrittenBody(response([Buffer.from('{"fault":'), Buffer.from('"x"}')], { 'content-type': 'text/plain' }, 401), (b) => `{"error":${JSON.stringify(b.toString())}}`);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-length']).toBeUndefined();
    expect(JSON.parse(await read(res))).toEqual({ error: '{"fault":"x"}' });
    const big = rewrittenBody(response([Buffer.alloc(10), Buffer.alloc(10)], {}, 500), () => 'never', 16);
    await expect(read(big)).rejects.toMatchObject({ code: 'response_too_large' });
  });
});
