/** Starts an Express app with a bridge mounted at /ai on 127.0.0.1 for integration tests. */
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import Transport from 'winston-transport';
import { createBridge, MemoryRecorder, type Bridge, type BridgeOptions } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from './fake-openai';

/** Collects every log line, so tests can assert what was (and was not) logged. */
export class MemoryTransport extends Transport {
  readonly lines: string[] = [];
  override log(info: unknown, next: () => void): void {
    this.lines.push(JSON.stringify(info));
    next();
  }
}

export interface Gateway {
  url: string;          // http://127.0.0.1:PORT/ai
  bridge: Bridge;
  recorder: MemoryRecorder;
  logs: MemoryTransport;
  close(): Promise<void>;
}

export const TEST_USERS: Record<string, { id: string; email: string }> = {
  'user-token-alice': { id: 'alice', email: 'alice@example.com' },
  'user-token-bob': { id: 'bob', email: 'bob@example.com' },
};

/** Actor from `x-user-token` or the bearer token, mapped through TEST_USERS. */
export function testActor(req: express.Request) {
  const header = req.headers['x-user-token'];
  const bearer = typeof req.headers.authorization === 'string' ? req.headers.authorization.replace(/^Bearer /i, '') : undefined;
  const user = TEST_USERS[(typeof header === 'string' ? header : bearer) ?? ''];
  return user && { id: user.id, metadata: { email: user.email } };
}

export async function startGateway(options: Partial<BridgeOptions> & Pick<BridgeOptions, 'providers'>): Promise<Gateway> {
  const recorder = (options.recorder as MemoryRecorder | undefined) ?? new MemoryRecorder();
  const logs = new MemoryTransport();
  const logger = winston.createLogger({ level: 'debug', transports: [logs] });
  const bridge = createBridge({ actor: testActor, logger, ...options, recorder });
  const app = express();
  app.use('/ai', bridge);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ai`,
    bridge,
    recorder,
    logs,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bridge.close();
    },
  };
}

/** Waits until `check` passes, an async one included (records are written off the response path). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/**
 * The usual suite set-up: one fake upstream and one gateway for the whole file, reset before each test.
 * `options` gets the fake's base URL. Read `suite.upstream` / `suite.gw` inside tests (they exist once beforeAll ran).
 */
export function bridgeSuite(options: (upstreamURL: string) => Partial<BridgeOptions> & Pick<BridgeOptions, 'providers'>) {
  const suite = {} as { upstream: FakeUpstream; gw: Gateway };
  beforeAll(async () => {
    suite.upstream = await startFakeOpenAI();
    suite.gw = await startGateway(options(suite.upstream.url));
  });
  afterAll(async () => {
    await suite.gw.close();
    await suite.upstream.close();
  });
  beforeEach(() => {
    suite.upstream.requests.length = 0;
    suite.upstream.behaviour = undefined;
    suite.gw.recorder.clear();
  });
  return suite;
}
