/** The fake Bedrock runtime (`lib/testing/fake/bedrock/`), typed for the tests, and the credentials it knows. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeUpstream } from '../../lib/testing';
// Plain JavaScript shared with the bench.
import * as fake from '../../lib/testing/fake/bedrock/index.js';

export interface AwsTestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One request as the fake Bedrock got it. */
export interface BedrockRequest {
  method: string;
  url: string;
  path: string;
  /** The model id of an invoke path, decoded. */
  modelId: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: Record<string, unknown> | undefined;
  /** Who it was verified as; undefined when refused (bad signature, unknown key). */
  auth: { kind: 'bearer'; key: string } | { kind: 'sigv4'; accessKeyId: string; sessionToken?: string; signedAt: Date } | undefined;
}

export interface FakeBedrock {
  url: string;
  region: string;
  /** The Anthropic fake answering behind it: scripts go on its `behaviour`. */
  inner: FakeUpstream;
  credentials: AwsTestCredentials[];
  apiKeys: string[];
  requests: BedrockRequest[];
  /** Access key ids or API keys answered with a 429 `ThrottlingException`. */
  throttled: Set<string>;
  /** Session tokens refused as expired. */
  expired: Set<string>;
  /** The next stream ends with this exception frame after `afterEvents` events. */
  streamException: { afterEvents: number; type: string; message: string } | undefined;
  /** Time between stream frames (0: all at once). */
  frameDelayMs: number;
  /** Streams that were written to their end, and those the client left before it. */
  streams: { completed: number; closedEarly: number };
  close(): Promise<void>;
}

/** `upstream`: a running fake to answer from (left running on close); default: one of its own. */
export function startFakeBedrock(options: { region?: string; credentials?: AwsTestCredentials[]; apiKeys?: string[]; upstream?: FakeUpstream }): Promise<FakeBedrock> {
  return fake.startFakeBedrock(options) as Promise<FakeBedrock>;
}

/** Access keys of the tests' AWS account: shaped like real ones, and secret enough to be redacted. */
export const ACCESS_KEYS: AwsTestCredentials = { accessKeyId: 'AKIAFAKEBEDROCK00001', secretAccessKey: 'fakeSecretKey/0000000000000000000000000000001' };
export const API_KEYS = ['ABSKbedrock-api-key-00000000000000001', 'ABSKbedrock-api-key-00000000000000002'];
