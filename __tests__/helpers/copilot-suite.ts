/**
 * The Copilot suites' set-up: a fake Copilot upstream and a gateway with a `copilotProvider`, tool injection, dumps,
 * metrics and spans, reset before each test; SDK clients sending a Copilot token and Copilot's headers; and the
 * checks every test makes: what reached the upstream, and that the token is nowhere the bridge wrote.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Registry } from 'prom-client';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { copilotProvider } from '../../lib';
import { eventually, startGateway, type Gateway } from './gateway';
import { TestInjector } from './test-injector';
import { everyByte, removeTempDirs, tempDir } from './dump-files';
import { startCopilotUpstream, type CopilotUpstream } from './copilot-upstream';

// Shaped like a real Copilot token: `;`, `=` and `:` inside one bearer value.
export const TOKEN = 'tid=0123456789abcdef;exp=1900000000;sku=copilot_for_business;proxy-ep=proxy.example:7f3a9c2e41b8d6';
export const TOKEN_HINT = 'tid=...b8d6';
export const COPILOT_HEADERS = {
  'Editor-Version': 'vscode/1.99.0',
  'Editor-Plugin-Version': 'copilot-chat/0.26.0',
  'Copilot-Integration-Id': 'vscode-chat',
  'Openai-Intent': 'conversation-panel',
  'X-Initiator': 'user',
  'Copilot-Vision-Request': 'true',
};
export const USER = { 'x-user-token': 'user-token-alice' };
export const question = { model: 'gpt-4.1', messages: [{ role: 'user' as const, content: 'What is 2+3?' }] };

export interface CopilotSuite {
  upstream: CopilotUpstream;
  gw: Gateway;
  injector: TestInjector;
  registry: Registry;
  spans: InMemorySpanExporter;
  dumps: string;
  /** An OpenAI client at `<mount>/copilot/v1` with this token. */
  openai(apiKey?: string): OpenAI;
  /** An Anthropic client at `<mount>/copilot`; `headers` may null one out (the SDK then sends none). */
  anthropic(auth?: { authToken?: string | null; apiKey?: string | null }, headers?: Record<string, string | null>): Anthropic;
  /** Every request the upstream got (`n` of them) carried the client's token as a bearer token and the client's Copilot headers. */
  expectTokenAndHeaders(n: number): void;
  /** The token appears nowhere the bridge wrote: records (every kind), log lines, API dumps, span attributes. */
  expectTokenNowhere(): void;
  /** Waits for `n` interceptions to have ended. */
  ended(n?: number): Promise<void>;
}

/** Registers the suite's hooks; read its fields inside tests. */
export function copilotSuite(): CopilotSuite {
  const s = {
    injector: new TestInjector(3), registry: new Registry(), spans: new InMemorySpanExporter(), dumps: tempDir('aibridge-copilot-dumps-'),
  } as CopilotSuite;
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(s.spans)] });
  beforeAll(async () => {
    s.upstream = await startCopilotUpstream();
    s.gw = await startGateway({
      providers: [copilotProvider({ baseURL: s.upstream.url })], tools: s.injector, dropHeaders: ['x-user-token'],
      dump: { dir: s.dumps }, metrics: { registry: s.registry }, tracing: { tracerProvider },
    });
  });
  afterAll(async () => {
    await s.gw.close();
    await s.upstream.close();
    await tracerProvider.shutdown();
    removeTempDirs();
  });
  beforeEach(() => {
    s.upstream.requests.length = 0;
    s.upstream.inner.behaviour = undefined;
    s.upstream.mcpStream = undefined;
    s.injector.calls.length = 0;
    s.injector.tools = [];
    s.gw.recorder.clear();
    s.spans.reset();
  });
  s.openai = (apiKey = TOKEN) => new OpenAI({ apiKey, baseURL: `${s.gw.url}/copilot/v1`, maxRetries: 0, defaultHeaders: { ...USER, ...COPILOT_HEADERS } });
  s.anthropic = (auth = { authToken: TOKEN, apiKey: null }, headers = {}) =>
    new Anthropic({ ...auth, baseURL: `${s.gw.url}/copilot`, maxRetries: 0, defaultHeaders: { ...USER, ...COPILOT_HEADERS, ...headers } });
  s.expectTokenAndHeaders = (n) => {
    expect(s.upstream.requests).toHaveLength(n);
    for (const r of s.upstream.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers['x-api-key']).toBeUndefined();
      for (const [name, value] of Object.entries(COPILOT_HEADERS)) expect(r.headers[name.toLowerCase()]).toBe(value);
      expect(r.headers['x-user-token']).toBeUndefined();
    }
  };
  s.expectTokenNowhere = () => {
    const r = s.gw.recorder;
    const written = JSON.stringify([r.interceptions, r.interceptionEnds, r.tokenUsages, r.promptUsages, r.toolUsages, r.modelThoughts, r.passthroughs])
      + s.gw.logs.lines.join('\n') + everyByte(s.dumps) + JSON.stringify(s.spans.getFinishedSpans().map((span) => span.attributes));
    expect(written).not.toContain(TOKEN);
    expect(written).not.toContain('0123456789abcdef');
  };
  s.ended = (n = 1) => eventually(() => expect(s.gw.recorder.interceptionEnds).toHaveLength(n));
  return s;
}
