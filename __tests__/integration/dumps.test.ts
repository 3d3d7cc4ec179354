/** API dumps: one folder per interception, one file per upstream attempt (failovers, loop calls, passthrough), as sent and received. */
import OpenAI from 'openai';
import { chatCompletion, textStreamEvents } from '../helpers/fake-openai';
import { eventually, type Gateway } from '../helpers/gateway';
import { bearer, keyedUpstream, leakedSecrets, upstreamErrorBody } from '../helpers/keyed-upstream';
import { chatScript } from '../helpers/chat-script';
import { TestInjector } from '../helpers/test-injector';
import { CHAT, DUMP_HINTS as HINTS, DUMP_KEYS, attemptFiles, chat, dumpFolders, dumpSuite, everyByte, tempDir } from '../helpers/dump-files';

const [K1, K2] = DUMP_KEYS;
const suite = dumpSuite();
const gateway = (dir: string, extra: Record<string, unknown> = {}): Promise<Gateway> => suite.gateway({ dir }, {}, extra);

describe('API dumps', () => {
  test('a blocking request: one folder named by the interception id, one file with the request as sent and the answer', async () => {
    const dir = tempDir();
    const gw = await gateway(dir);
    const res = await chat(gw);
    expect(res.status).toBe(200);
    const body = await res.text();
    const id = res.headers.get('x-aibridge-interception-id')!;
    await eventually(() => expect(attemptFiles(dir, id).map((f) => f.name)).toEqual(['001-attempt.http']));
    await eventually(() => expect(attemptFiles(dir, id)[0].text.endsWith(body)).toBe(true));
    expect(dumpFolders(dir)).toEqual([id]);
    const [request, answer] = attemptFiles(dir, id)[0].text.split('\n\nHTTP/1.1 ');
    expect(request.startsWith('POST /v1/chat/completions HTTP/1.1\n')).toBe(true);
    expect(request).toContain(`\nauthorization: Bearer ${HINTS[0]}\n`);
    expect(request).toContain('\ncontent-type: application/json\n');
    // The body as sent upstream: the client's bytes (nothing added to a blocking chat request).
    expect(request.endsWith(`\n\n${suite.upstream.requests[0].body}`)).toBe(true);
    expect(answer.startsWith('200\n')).toBe(true);
    expect(answer).toContain('\ncontent-type: application/json');
    expect(body).toBe(JSON.stringify(chatCompletion()));
    expect(leakedSecrets(everyByte(dir), [K1, K2])).toEqual([]);
  });

  test('a streaming request: the whole SSE stream, as the upstream sent it, is in the file', async () => {
    const dir = tempDir();
    const gw = await gateway(dir);
    const res = await chat(gw, { ...CHAT, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    const relayed = await res.text();
    const sse = textStreamEvents(true).map((e) => `data: ${e}\n\n`).join('');
    expect(relayed).toBe(sse);
    const id = res.headers.get('x-aibridge-interception-id')!;
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text.endsWith(`\n\n${sse}`)).toBe(true));
    const text = attemptFiles(dir, id)[0].text;
    expect(text).toContain('"stream":true');
    expect(text).toContain('\nHTTP/1.1 200\ncontent-type: text/event-stream');
  });

  test('a failover: the refused attempt and the next one each get a file, the first with the 401', async () => {
    suite.upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 401 } });
    const dir = tempDir();
    const gw = await gateway(dir);
    const res = await chat(gw);
    expect(res.status).toBe(200);
    await res.text();
    const id = res.headers.get('x-aibridge-interception-id')!;
    await eventually(() => {
      const files = attemptFiles(dir, id);
      expect(files.map((f) => f.name)).toEqual(['001-attempt.http', '002-attempt.http']);
      expect(files[0].text.endsWith(upstreamErrorBody(401))).toBe(true);
      expect(files[1].text.endsWith(JSON.stringify(chatCompletion()))).toBe(true);
    });
    const [first, second] = attemptFiles(dir, id);
    expect(first.text).toContain(`authorization: Bearer ${HINTS[0]}\n`);
    expect(first.text).toContain('\nHTTP/1.1 401\n');
    expect(second.text).toContain(`authorization: Bearer ${HINTS[1]}\n`);
    expect(second.text).toContain('\nHTTP/1.1 200\n');
    expect(leakedSecrets(everyByte(dir), [K1, K2])).toEqual([]);
  });

  test('a tool loop: each upstream call of the loop gets its own file, none overwritten', async () => {
    const script = chatScript([
      { toolCalls: [{ id: 'call_1', name: 'bmcp_calc_add', arguments: '{"a":2,"b":3}' }] },
      { text: 'It is 5.' },
    ]);
    suite.upstream.behaviour = script;
    const dir = tempDir();
    const gw = await gateway(dir, { tools: new TestInjector(3) });
    const sdk = new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
    const answer = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is 2+3?' }] });
    expect(answer.choices[0].message.content).toBe('It is 5.');
    const id = gw.recorder.interceptions[0].id;
    await eventually(() => {
      const files = attemptFiles(dir, id);
      expect(files.map((f) => f.name)).toEqual(['001-attempt.http', '002-attempt.http']);
      expect(files[1].text).toContain('It is 5.');
    });
    const [first, second] = attemptFiles(dir, id);
    expect(first.text).toContain('"bmcp_calc_add"');
    expect(first.text).toContain('"arguments":"{\\"a\\":2,\\"b\\":3}"');
    expect(first.text).not.toContain('"role":"tool"');
    expect(second.text).toContain('{"role":"tool","tool_call_id":"call_1","content":"5"}');
    expect(first.text.split('\n\nHTTP/1.1 200\n')[0].endsWith(script.calls[0].body)).toBe(true);
    expect(second.text.split('\n\nHTTP/1.1 200\n')[0].endsWith(script.calls[1].body)).toBe(true);
  });

  test('a passthrough call: its own folder, named by the passthrough record id', async () => {
    const dir = tempDir();
    const gw = await gateway(dir);
    const res = await fetch(`${gw.url}/openai/v1/models?limit=5`, { headers: { 'x-user-token': 'user-token-bob' } });
    expect(res.status).toBe(200);
    const body = await res.text();
    await eventually(() => expect(gw.recorder.passthroughs).toHaveLength(1));
    const id = gw.recorder.passthroughs[0].id;
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text.endsWith(body)).toBe(true));
    const [file] = attemptFiles(dir, id);
    expect(file.name).toBe('001-attempt.http');
    expect(file.text.startsWith('GET /v1/models?limit=5 HTTP/1.1\n')).toBe(true);
    expect(file.text).toContain(`authorization: Bearer ${HINTS[0]}\n`);
    expect(file.text).toContain('\nHTTP/1.1 200\n');
    expect(dumpFolders(dir)).toEqual([id]);
  });

  test('a passthrough failover dumps both attempts', async () => {
    suite.upstream.behaviour = keyedUpstream({ [bearer(K1)]: { status: 429, headers: { 'retry-after': '5' } } });
    const dir = tempDir();
    const gw = await gateway(dir);
    const res = await fetch(`${gw.url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-bob' } });
    expect(res.status).toBe(200);
    await res.text();
    await eventually(() => expect(gw.recorder.passthroughs).toHaveLength(1));
    const id = gw.recorder.passthroughs[0].id;
    await eventually(() => {
      const files = attemptFiles(dir, id);
      expect(files.map((f) => f.name)).toEqual(['001-attempt.http', '002-attempt.http']);
      expect(files[0].text).toContain('\nHTTP/1.1 429\n');
      expect(files[0].text.endsWith(upstreamErrorBody(429))).toBe(true);
      expect(files[1].text).toContain('\nHTTP/1.1 200\n');
    });
  });

  test('a stream the client leaves: what came is in the file, which ends with a note; the next request is dumped as usual', async () => {
    let sent!: () => void;
    const firstEventSent = new Promise<void>((resolve) => (sent = resolve));
    suite.upstream.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${textStreamEvents(true)[0]}\n\n`, () => sent());
      // Never ends: the client leaves.
    };
    const dir = tempDir();
    const gw = await gateway(dir);
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/openai/v1/chat/completions`, {
      method: 'POST', signal: abort.signal, headers: { 'content-type': 'application/json', 'x-user-token': 'user-token-alice' },
      body: JSON.stringify({ ...CHAT, stream: true }),
    });
    const id = res.headers.get('x-aibridge-interception-id')!;
    await firstEventSent;
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text).toContain(textStreamEvents(true)[0]));
    abort.abort();
    await eventually(() => expect(attemptFiles(dir, id)[0]?.text).toMatch(/\n\[express-aibridge: the response ended early: [^\n]*\]\n$/));
    await eventually(() => expect(gw.recorder.interceptionEnds.map((e) => e.status)).toEqual(['aborted']));

    suite.upstream.behaviour = undefined;
    const next = await chat(gw);
    expect(next.status).toBe(200);
    const body = await next.text();
    const nextId = next.headers.get('x-aibridge-interception-id')!;
    await eventually(() => expect(attemptFiles(dir, nextId)[0]?.text.endsWith(body)).toBe(true));
  });

  test('close() returns once every file being written is on disk', async () => {
    const dir = tempDir();
    const gw = await gateway(dir);
    const answers = await Promise.all([0, 1, 2, 3].map(async () => {
      const res = await chat(gw, { ...CHAT, stream: true, stream_options: { include_usage: true } });
      return { id: res.headers.get('x-aibridge-interception-id')!, text: await res.text() };
    }));
    await suite.close(gw);
    // No waiting here: what close() awaited is all there.
    expect(answers.map(({ id, text }) => attemptFiles(dir, id)[0]?.text.endsWith(`\n\n${text}`))).toEqual([true, true, true, true]);
  });
});
