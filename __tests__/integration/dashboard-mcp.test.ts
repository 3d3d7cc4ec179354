/** The dashboard's MCP health panel: `GET /api/mcp` from mcpToolInjector().status(), the page shell, and the option check. */
import { createDashboard, MemoryRecorder, mcpToolInjector, type McpToolInjector } from '../../lib';
import { adminFetch, startDashboard, type DashboardServer } from '../helpers/dashboard-server';
import { memoryLogger, toolContext } from '../helpers/mcp-context';
import type { McpHttpHost } from '../helpers/mcp-http-host';
import { startZooHttp } from '../helpers/mcp-test-server';

let zooHost: McpHttpHost;
let injector: McpToolInjector;
let srv: DashboardServer;

beforeAll(async () => {
  ({ host: zooHost } = await startZooHttp());
  injector = mcpToolInjector({
    servers: [
      { name: 'zoo', url: `${zooHost.url}?token=dash-secret-31`, headers: { Authorization: 'Bearer dash-header-secret-8' } },
      { name: 'down', url: 'http://127.0.0.1:9/mcp' },
    ],
    deny: /^hang$/,
    retryDelayMs: { initial: 60_000 },
    logger: memoryLogger().logger,
  });
  await injector.listTools(toolContext());
  srv = await startDashboard({ options: { mcp: injector } });
});

afterAll(async () => {
  await srv.close();
  await injector.close();
  await zooHost.close();
});

test('GET /api/mcp: every server in configuration order, JSON dates, no secret', async () => {
  const res = await adminFetch(`${srv.url}/api/mcp`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await res.text();
  for (const secret of ['dash-secret-31', 'dash-header-secret-8']) expect(text).not.toContain(secret);
  const body = JSON.parse(text);
  expect(Object.keys(body)).toEqual(['servers']);
  const [zoo, down] = body.servers;
  expect(zoo).toEqual({ name: 'zoo', url: zooHost.url, state: 'ready', toolsListed: 6, toolsAllowed: 5, lastListedAt: expect.any(String) });
  expect(new Date(zoo.lastListedAt).getTime()).not.toBeNaN();
  expect(down).toMatchObject({ name: 'down', url: 'http://127.0.0.1:9/mcp', state: 'failed', toolsListed: 0, toolsAllowed: 0 });
  expect(down.lastError).toEqual({ message: expect.any(String), at: expect.any(String) });
  expect(down.lastListedAt).toBeUndefined();
});

test('/api/mcp takes no parameters and only GET', async () => {
  expect((await adminFetch(`${srv.url}/api/mcp?x=1`)).status).toBe(400);
  expect((await adminFetch(`${srv.url}/api/mcp`, { method: 'POST' })).status).toBe(405);
});

test('the page shows the MCP panel only when an injector was given', async () => {
  const page = await (await adminFetch(`${srv.url}/`)).text();
  expect(page).toContain('data-mcp="on"');
  expect(page).toContain('id="mcp-panel"');
  const script = await (await adminFetch(`${srv.url}/assets/dashboard.js`)).text();
  expect(script).toContain("getJson('api/mcp')");
  const bare = await startDashboard();
  try {
    expect(await (await adminFetch(`${bare.url}/`)).text()).toContain('data-mcp="off"');
    const res = await adminFetch(`${bare.url}/api/mcp`);
    expect(res.status).toBe(404);
    expect((await res.json() as { error: { message: string } }).error.message).toMatch(/No MCP tool injector/);
  } finally {
    await bare.close();
  }
});

test('a custom source failing is a 503 without its detail; a bad option is refused at creation', async () => {
  const failing = await startDashboard({ options: { mcp: { status: () => { throw new Error('internal detail x1'); } } } });
  try {
    const res = await adminFetch(`${failing.url}/api/mcp`);
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('internal detail x1');
  } finally {
    await failing.close();
  }
  expect(() => createDashboard({ query: new MemoryRecorder(), mcp: {} as never })).toThrow(/`mcp` must be an MCP tool injector/);
});
