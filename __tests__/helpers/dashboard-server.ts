/** Serves a dashboard on 127.0.0.1 behind a stand-in for the host's auth, over a real store seeded with known usage. */
import express from 'express';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import { createBridge, createDashboard, MemoryRecorder, openaiProvider, SqliteRecorder, type Bridge, type DashboardOptions } from '../../lib';
import { MemoryTransport } from './gateway';
import { SpyUsageQuery } from './dashboard-spy-query';
import { seedUsage } from './dashboard-seed';

export const POOL_KEYS = ['sk-test-aaaaaaaa1111', 'sk-test-bbbbbbbb2222'];
export const ADMIN_TOKEN = 'admin-secret';

export interface DashboardServer {
  /** Where the dashboard is mounted, without a trailing slash: http://127.0.0.1:PORT/admin/ai */
  url: string;
  origin: string;
  /** The seeded store, behind a spy that notes the dashboard's calls. */
  query: SpyUsageQuery;
  bridge: Bridge;
  logs: MemoryTransport;
  close(): Promise<void>;
}

/** The seeded store: a MemoryRecorder, or a SqliteRecorder on a temporary file (flushed before the server starts). */
async function seededStore(kind: 'memory' | 'sqlite'): Promise<{ store: MemoryRecorder | SqliteRecorder; dispose(): Promise<void> }> {
  if (kind === 'memory') {
    const store = new MemoryRecorder();
    await seedUsage(store, Date.now());
    return { store, dispose: async () => undefined };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aibridge-dashboard-'));
  const store = new SqliteRecorder({ filename: path.join(dir, 'usage.db') });
  await seedUsage(store, Date.now());
  await store.flush();
  return { store, dispose: async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

export async function startDashboard(opts: { withBridge?: boolean; store?: 'memory' | 'sqlite'; options?: Partial<DashboardOptions> } = {}): Promise<DashboardServer> {
  const seeded = await seededStore(opts.store ?? 'memory');
  const query = new SpyUsageQuery(seeded.store);
  const logs = new MemoryTransport();
  const logger = winston.createLogger({ level: 'debug', transports: [logs] });
  // Nothing listens upstream: one request at /ai opens its model's circuit (for the breakers panel).
  const bridge = createBridge({ providers: [openaiProvider({ keys: POOL_KEYS, baseURL: 'http://127.0.0.1:9/v1' })], actor: () => ({ id: 'x' }), logger, circuitBreaker: { failures: 1, openMs: 600_000 },
    limits: [{ name: 'daily', per: 'actor', requests: { points: 100, windowMs: 86_400_000 } }] });
  const app = express();
  app.use('/ai', bridge);
  const adminAuth: express.RequestHandler = (req, res, next) => {
    if (req.headers.authorization === `Bearer ${ADMIN_TOKEN}` || req.headers.cookie === `admin=${ADMIN_TOKEN}`) return next();
    res.status(401).json({ error: 'unauthorized' });
  };
  app.use('/admin/ai', adminAuth, createDashboard({ query, logger, ...(opts.withBridge === false ? {} : { bridge }), ...opts.options }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/admin/ai`, origin, query, bridge, logs,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bridge.close();
      await seeded.dispose();
    },
  };
}

/** GET (or another method) with the admin token. */
export function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, redirect: 'manual', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers ?? {}) } });
}
