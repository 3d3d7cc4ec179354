/** Shutdown with a stdio MCP server: once bridge.close() began, a child that exits (Ctrl-C reaches it too) is not started again. */
import { join } from 'node:path';
import { mcpToolInjector, openaiProvider } from '../../lib';
import { startFakeOpenAI, type FakeUpstream } from '../helpers/fake-openai';
import { eventually, startGateway, type Gateway } from '../helpers/gateway';
import { toolContext, waitFor } from '../helpers/mcp-context';

const FIXTURE = join(__dirname, '..', 'fixtures', 'mcp-stdio-server.js');
let upstream: FakeUpstream;
let gw: Gateway | undefined;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});
afterAll(async () => {
  await upstream.close();
});

test('a stdio server that exits while close() drains is not reconnected, and no retry is announced', async () => {
  const tools = mcpToolInjector({ servers: [{ name: 'fixture', command: process.execPath, args: [FIXTURE] }], retryDelayMs: { initial: 20 } });
  gw = await startGateway({ providers: [openaiProvider({ keys: ['sk-pool-aaaaaaaa0001'], baseURL: upstream.url })], tools });
  const { logs, bridge, url } = gw;
  const logged = (message: string) => logs.lines.filter((l) => JSON.parse(l).message === message).length;
  const whoami = await tools.callTool({ name: 'bmcp_fixture_whoami', arguments: {} }, toolContext());
  const { pid } = JSON.parse(String(whoami.content[0].text)) as { pid: number };
  expect(logged('MCP server connected')).toBe(1);

  // A request in flight keeps close() in its grace period: the window in which the injector used to reconnect.
  upstream.behaviour = () => undefined;
  const pending = fetch(`${url}/openai/v1/models`, { headers: { 'x-user-token': 'user-token-alice' } });
  await eventually(() => expect(upstream.requests).toHaveLength(1));
  const closing = bridge.close({ graceMs: 1_000 });
  process.kill(pid, 'SIGKILL');
  await waitFor(() => tools.listTools(toolContext()), (list) => list.length === 0);
  await closing;

  expect((await pending).status).toBe(503);
  expect(logged('MCP server connected')).toBe(1);
  expect(logged('MCP server unavailable; retrying')).toBe(0);
});
