/** openaiCompatibleProvider keeps keys out of what leaves the bridge: Azure's `api-key` in dumps, keys echoed by the server, logs and records. */
import OpenAI from 'openai';
import { openaiCompatibleProvider } from '../../lib';
import { startCompatibleUpstream, type CompatibleUpstream } from '../helpers/compatible-upstream';
import { everyByte, removeTempDirs, tempDir } from '../helpers/dump-files';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const KEY = 'az-key-redaction-0000000000000042';
let upstream: CompatibleUpstream;
let gw: Gateway;
let dir: string;

beforeAll(async () => {
  upstream = await startCompatibleUpstream();
  dir = tempDir();
  gw = await startGateway({
    providers: [openaiCompatibleProvider({ name: 'azure', baseURL: upstream.origin, keys: [KEY], azure: { apiVersion: '2024-10-21' } })],
    dump: { dir },
  });
});
afterAll(async () => {
  await gw.close();
  await upstream.close();
  removeTempDirs();
});

const client = () => new OpenAI({ apiKey: 'user-token-alice', baseURL: `${gw.url}/azure/v1`, maxRetries: 0 });

test('the api-key header is masked in dumps; a key the server echoes never reaches the client, a record, a log or a dump', async () => {
  await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  upstream.behaviour.echoKey = true;
  upstream.behaviour.refuse = { [KEY]: 403 };
  const refused = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(OpenAI.APIError);
  expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
  expect(JSON.stringify((refused as InstanceType<typeof OpenAI.APIError>).error)).toContain('Access denied for key az-k...0042');
  expect(upstream.requests.map((r) => r.headers['api-key'])).toEqual([KEY, KEY]);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(2));
  const dumped = everyByte(dir);
  expect(dumped).toMatch(/api-key: az-k\.\.\.0042/i);
  expect(dumped).toContain('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
  const elsewhere = JSON.stringify([gw.recorder.interceptions, gw.recorder.interceptionEnds]) + gw.logs.lines.join('\n');
  expect(dumped + elsewhere).not.toContain(KEY);
});
