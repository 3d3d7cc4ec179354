/** A dashboard endpoint whose store and logger both throw still answers, on Express 4 too (which does not catch a handler's rejected promise). */
import winston from 'winston';
import { MemoryRecorder, type UsageQuery } from '../../lib';
import { adminFetch, startDashboard, type DashboardServer } from '../helpers/dashboard-server';

let dash: DashboardServer | undefined;
afterEach(async () => {
  await dash?.close();
  dash = undefined;
});

test('a failing store and a logger that throws: the client gets a 500, the process keeps serving', async () => {
  const store = new MemoryRecorder();
  const broken = new Proxy(store, {
    get: (target, name, receiver) => (name === 'totals' ? async () => { throw new Error('store down'); } : Reflect.get(target, name, receiver)),
  }) as unknown as UsageQuery;
  const logger = winston.createLogger({ silent: true });
  logger.error = (() => { throw new Error('logger down'); }) as never;
  dash = await startDashboard({ options: { query: broken, logger } });
  const res = await adminFetch(`${dash.url}/api/totals`);
  expect(res.status).toBe(500);
  expect((await adminFetch(`${dash.url}/api/keys`)).status).toBe(200);
});
