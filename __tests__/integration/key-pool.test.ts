/** Key pool failover end to end: ordered walk, cooldowns, exhaustion, final statuses; no key leaks. */
import { chatCompletion } from '../helpers/fake-openai';
import { eventually } from '../helpers/gateway';
import { bearer, keyedUpstream, keysSeen, leakedSecrets } from '../helpers/keyed-upstream';
import { CHAT, SECRETS, HINTS, K1, K2, K3, KEYS, chat, gateway, keyPoolSuite, openaiError, shared } from '../helpers/key-pool-suite';

keyPoolSuite();

describe('key pool: ordered walk and cooldowns', () => {
  test('fails over 429 → 401 → success on the third key, and the next request goes straight to key three', async () => {
    shared.upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } },
      [bearer(K2)]: { status: 401 },
    });
    const gw = await gateway();
    const started = Date.now();
    const first = await chat(gw);
    const finished = Date.now();
    expect(first.status).toBe(200);
    expect(first.body).toBe(JSON.stringify(chatCompletion()));
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2, K3]);
    for (const seen of shared.upstream.requests) expect(seen.body).toBe(JSON.stringify(CHAT));

    shared.upstream.requests.length = 0;
    const second = await chat(gw);
    expect(second.status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K3]);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.interceptions.map((r) => r.credentialKind)).toEqual(['centralized', 'centralized']);
    expect(gw.recorder.interceptionEnds.map((r) => [r.status, r.httpStatus, r.credentialHint])).toEqual([
      ['completed', 200, HINTS[2]],
      ['completed', 200, HINTS[2]],
    ]);
    // The failovers are visible in the end record: every attempt with its masked key, status and error type.
    const attempts = gw.recorder.interceptionEnds[0].attempts!;
    expect(attempts.map(({ durationMs, ...rest }) => rest)).toEqual([
      { credentialHint: HINTS[0], httpStatus: 429, errorType: 'rate_limited' },
      { credentialHint: HINTS[1], httpStatus: 401, errorType: 'unauthorized' },
      { credentialHint: HINTS[2], httpStatus: 200 },
    ]);
    for (const a of attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    expect(gw.recorder.interceptionEnds[1].attempts).toEqual([{ credentialHint: HINTS[2], httpStatus: 200, durationMs: expect.any(Number) }]);

    const status = await gw.bridge.keyPoolStatus();
    expect(status).toEqual([{
      provider: 'openai',
      store: 'memory',
      keys: [
        { hint: HINTS[0], state: 'cooling', reason: 'rate_limited', coolingUntil: expect.any(Date) },
        { hint: HINTS[1], state: 'cooling', reason: 'unauthorized', coolingUntil: expect.any(Date) },
        { hint: HINTS[2], state: 'healthy' },
      ],
    }]);
    const [rateLimited, unauthorized] = status[0].keys.map((k) => k.coolingUntil?.getTime() ?? 0);
    expect(rateLimited).toBeGreaterThanOrEqual(started + 30_000);
    expect(rateLimited).toBeLessThanOrEqual(finished + 30_000);
    expect(unauthorized).toBeGreaterThanOrEqual(started + 60_000);
    expect(unauthorized).toBeLessThanOrEqual(finished + 60_000);
    expect(leakedSecrets(JSON.stringify(status), SECRETS)).toEqual([]);
  });

  test('a 429 without a hint cools for 60 s; Retry-After is capped by cooldowns.maxMs (default 1 h)', async () => {
    shared.upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 429 },
      [bearer(K2)]: { status: 429, headers: { 'retry-after': '86400' } },
    });
    const gw = await gateway();
    const started = Date.now();
    expect((await chat(gw)).status).toBe(200);
    const finished = Date.now();
    const [k1, k2] = (await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.coolingUntil?.getTime() ?? 0);
    expect(k1).toBeGreaterThanOrEqual(started + 60_000);
    expect(k1).toBeLessThanOrEqual(finished + 60_000);
    expect(k2).toBeGreaterThanOrEqual(started + 3_600_000);
    expect(k2).toBeLessThanOrEqual(finished + 3_600_000);

    shared.upstream.requests.length = 0;
    const capped = await gateway({ keys: [K2, K3], cooldowns: { maxMs: 2_000 } });
    const cappedStart = Date.now();
    expect((await chat(capped)).status).toBe(200);
    expect(keysSeen(shared.upstream.requests)).toEqual([K2, K3]);
    const [until] = (await capped.bridge.keyPoolStatus())[0].keys.map((k) => k.coolingUntil?.getTime() ?? 0);
    expect(until).toBeGreaterThanOrEqual(cappedStart + 2_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2_000);
  });

  test('all keys rate-limited → 429 with the smallest Retry-After (ms, seconds and HTTP-date hints) and an OpenAI-shaped body', async () => {
    shared.upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 429, headers: { 'retry-after': '30' } },
      [bearer(K2)]: { status: 429, headers: { 'retry-after-ms': '5000' } },
      [bearer(K3)]: { status: 429, headers: { 'retry-after': new Date(Date.now() + 90_000).toUTCString() } },
    });
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const error = openaiError(res.body);
    expect(error.message).toBe('All configured keys are rate-limited.');
    expect(typeof error.type).toBe('string');
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2, K3]);

    // Now nothing is tried at all, and the hint keeps counting down from the same deadline.
    shared.upstream.requests.length = 0;
    const again = await chat(gw);
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(4);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(5);
    expect(shared.upstream.requests).toHaveLength(0);

    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 429, errorType: 'rate_limited', credentialHint: HINTS[2] });
    expect(gw.recorder.interceptionEnds[1]).toMatchObject({ status: 'failed', httpStatus: 429, errorType: 'rate_limited' });
  });

  test('all keys failing authentication → 502 without Retry-After', async () => {
    shared.upstream.behaviour = keyedUpstream(Object.fromEntries(KEYS.map((k) => [bearer(k), { status: 401 }])));
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(502);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(openaiError(res.body).message).toBe('All configured keys failed authentication.');
    expect(keysSeen(shared.upstream.requests)).toEqual([K1, K2, K3]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 502, errorType: 'server_error' });
  });

  test('a mix of 401 and 429 → 429 with the rate-limited key\'s Retry-After', async () => {
    shared.upstream.behaviour = keyedUpstream({
      [bearer(K1)]: { status: 401 },
      [bearer(K2)]: { status: 429, headers: { 'retry-after': '7' } },
    });
    const gw = await gateway({ keys: [K1, K2] });
    const res = await chat(gw);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(openaiError(res.body).message).toBe('All configured keys are rate-limited.');
  });

  test.each([400, 403, 500, 503])('%i is relayed as-is: same status and body, no second attempt, no cooldown', async (status) => {
    const body = JSON.stringify({ error: { message: `upstream ${status} — ünïcode`, type: 'upstream_type', code: 'upstream_code', param: null } });
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status, headers: { 'x-request-id': 'req_err' }, body } });
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(status);
    expect(res.body).toBe(body);
    expect(res.headers['x-request-id']).toBe('req_err');
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);
    expect((await gw.bridge.keyPoolStatus())[0].keys.map((k) => k.state)).toEqual(['healthy', 'healthy', 'healthy']);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: status, credentialHint: HINTS[0] });
  });

  test('a transport error on key one is not failed over: one attempt, 502 in the OpenAI shape', async () => {
    shared.upstream.behaviour = keyedUpstream({ [bearer(K1)]: (_req, res) => void res.socket?.destroy() });
    const gw = await gateway();
    const res = await chat(gw);
    expect(res.status).toBe(502);
    openaiError(res.body);
    expect(keysSeen(shared.upstream.requests)).toEqual([K1]);
    await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(1));
    expect(gw.recorder.interceptionEnds[0]).toMatchObject({ status: 'failed', httpStatus: 502, errorType: 'server_error' });
  });
});
