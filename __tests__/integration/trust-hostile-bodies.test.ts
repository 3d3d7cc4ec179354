// Hostile client bodies: a clear 4xx (or a normal answer), never a crash, a hang or an internal error.
import { openaiProvider, anthropicProvider } from '../../lib';
import { bridgeSuite } from '../helpers/gateway';
import { rawRequest } from '../helpers/raw-request';

const suite = bridgeSuite((url) => ({
  providers: [
    openaiProvider({ keys: ['sk-hostile-bodies-000000000001'], baseURL: url }),
    anthropicProvider({ keys: ['sk-ant-hostile-bodies-0000001'], baseURL: url.replace(/\/v1$/, '') }),
  ],
}));

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

const BODIES: Array<[string, string]> = [
  ['a body nested 100,000 arrays deep', deep(100_000)],
  ['content nested 100,000 arrays deep', `{"model":"gpt-4o","messages":[{"role":"user","content":${deep(100_000)}}]}`],
  ['metadata nested 50,000 objects deep', `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata":${deepObject(50_000)}}`],
  ['tools nested deep', `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deepObject(50_000)}}}]}`],
  ['a __proto__ key', '{"model":"gpt-4o","__proto__":{"polluted":true},"messages":[{"role":"user","content":"hi","__proto__":{"x":1}}]}'],
  ['a constructor.prototype', '{"model":"gpt-4o","constructor":{"prototype":{"polluted":true}},"messages":[{"role":"user","content":"hi"}]}'],
  ['messages as an object', '{"model":"gpt-4o","messages":{"length":1e9}}'],
  ['model as an array', '{"model":["gpt-4o"],"messages":[]}'],
  ['stream as a string', '{"model":"gpt-4o","stream":"yes","messages":[{"role":"user","content":"hi"}]}'],
  ['a lone surrogate in the model', '{"model":"gpt\\ud800","messages":[{"role":"user","content":"hi"}]}'],
  ['a duplicate model key', '{"model":"gpt-4o","model":"other","messages":[{"role":"user","content":"hi"}]}'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('latin1')],
];

for (const path of ['/openai/v1/chat/completions', '/openai/v1/responses', '/anthropic/v1/messages']) {
  test.each(BODIES)(`${path}, %s: no 5xx, quickly`, async (_name, body) => {
    const started = Date.now();
    const res = await rawRequest(suite.gw.url, 'POST', path, { 'x-user-token': 'user-token-alice', 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body);
    expect(res.status).toBeLessThan(500);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(suite.gw.logs.lines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
}
