/**
 * bedrockProvider with `roleArn`: the role is assumed through STS (a fake one, reached through AWS_ENDPOINT_URL_STS) with
 * the given credentials and the external id; its temporary credentials are cached and renewed before they expire.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { bedrockProvider } from '../../lib';
import { anthropicScript } from '../helpers/anthropic-script';
import { ACCESS_KEYS, startFakeBedrock, type AwsTestCredentials, type FakeBedrock } from '../helpers/bedrock-upstream';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';

const ROLE = 'arn:aws:iam::123456789012:role/bedrock-gateway';
const LIFETIME_MS = 1_500;

/** One AssumeRole call as the fake STS got it. */
interface AssumeRoleCall {
  params: URLSearchParams;
  /** The access key id that signed it. */
  signedBy: string | undefined;
}

let bedrock: FakeBedrock;
let sts: http.Server;
const calls: AssumeRoleCall[] = [];
const issued: AwsTestCredentials[] = [];
let gw: Gateway;
const savedEndpoint = process.env.AWS_ENDPOINT_URL_STS;

/** Answers AssumeRole with new temporary credentials each time, valid for LIFETIME_MS, known to the fake Bedrock. */
function assumeRole(req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    calls.push({ params: new URLSearchParams(body), signedBy: /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] });
    const n = issued.length + 1;
    const c = { accessKeyId: `ASIAROLEFAKE0000000${n}`, secretAccessKey: `roleSecret/${n}0000000000000000000000000000000`, sessionToken: `FwoGZXIvYXdzEFAKE-role-session-${n}-000000000` };
    issued.push(c);
    bedrock.credentials.push(c);
    const expiration = new Date(Date.now() + LIFETIME_MS).toISOString();
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>`
      + `<AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey><SessionToken>${c.sessionToken}</SessionToken>`
      + `<Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/bedrock-gateway/express-aibridge</Arn>`
      + `<AssumedRoleId>AROAFAKE:express-aibridge</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r-${n}</RequestId></ResponseMetadata></AssumeRoleResponse>`);
  });
}

beforeAll(async () => {
  bedrock = await startFakeBedrock({});
  sts = http.createServer(assumeRole);
  await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_STS = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
  gw = await startGateway({
    providers: [bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS, roleArn: ROLE, externalId: 'ext-4711' })],
  });
});
afterAll(async () => {
  await gw.close();
  await bedrock.close();
  sts.closeAllConnections();
  await new Promise<void>((resolve) => sts.close(() => resolve()));
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
  else process.env.AWS_ENDPOINT_URL_STS = savedEndpoint;
});

const ask = () => new Anthropic({ apiKey: 'unused', baseURL: `${gw.url}/bedrock`, maxRetries: 0, defaultHeaders: { 'x-user-token': 'user-token-alice' } })
  .messages.create({ model: 'claude-test-sonnet', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });

test('assumed once for concurrent requests (with the external id, signed by the given keys); renewed before expiry; the old session never sent expired', async () => {
  bedrock.inner.behaviour = anthropicScript([{ text: 'ok' }]);
  await Promise.all([ask(), ask(), ask()]);
  expect(calls).toHaveLength(1);
  expect(Object.fromEntries(calls[0].params)).toMatchObject({ Action: 'AssumeRole', RoleArn: ROLE, ExternalId: 'ext-4711', RoleSessionName: 'express-aibridge' });
  expect(calls[0].signedBy).toBe(ACCESS_KEYS.accessKeyId);
  for (const r of bedrock.requests) expect(r.auth).toMatchObject({ kind: 'sigv4', accessKeyId: issued[0].accessKeyId, sessionToken: issued[0].sessionToken });

  // Past half its lifetime: still served while the role is assumed again.
  await new Promise((r) => setTimeout(r, LIFETIME_MS / 2 + 150));
  await ask();
  await eventually(() => expect(issued).toHaveLength(2));
  bedrock.expired.add(issued[0].sessionToken!);
  await ask();
  const used = bedrock.requests.map((r) => (r.auth as { accessKeyId?: string } | undefined)?.accessKeyId);
  expect(used).toEqual([issued[0].accessKeyId, issued[0].accessKeyId, issued[0].accessKeyId, issued[0].accessKeyId, issued[1].accessKeyId]);
  expect(calls).toHaveLength(2);
  await eventually(() => expect(gw.recorder.interceptionEnds).toHaveLength(5));
  expect(gw.recorder.interceptionEnds.every((e) => e.status === 'completed')).toBe(true);
  const recorded = JSON.stringify([gw.recorder.interceptions, gw.recorder.interceptionEnds, gw.logs.lines]);
  for (const c of issued) {
    expect(recorded).not.toContain(c.secretAccessKey);
    expect(recorded).not.toContain(c.sessionToken);
  }
});
