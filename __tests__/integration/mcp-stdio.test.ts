/** mcpToolInjector over stdio: the SDK's server-everything, a fixture server (env, cwd), child processes ended or restarted. */
import { join } from 'node:path';
import { mcpToolInjector, type McpToolInjector } from '../../lib';
import { memoryLogger, toolContext, waitFor } from '../helpers/mcp-context';

const FIXTURE = join(__dirname, '..', 'fixtures', 'mcp-stdio-server.js');
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const injectors: McpToolInjector[] = [];

function track(injector: McpToolInjector): McpToolInjector {
  injectors.push(injector);
  return injector;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function whoami(injector: McpToolInjector): Promise<{ value: string | null; secret: string | null; cwd: string; pid: number }> {
  const result = await injector.callTool({ name: 'bmcp_fixture_whoami', arguments: {} }, toolContext());
  return JSON.parse(String(result.content[0].text));
}

afterEach(async () => {
  await Promise.all(injectors.splice(0).map((i) => i.close()));
  delete process.env.AIBRIDGE_TEST_SECRET;
});

test('server-everything over stdio: echo and get-sum', async () => {
  const injector = track(mcpToolInjector({ servers: [{ name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'] }], allow: /^(echo|get-sum)$/ }));
  const tools = await injector.listTools(toolContext());
  expect(tools.map((t) => t.name)).toEqual(['bmcp_everything_echo', 'bmcp_everything_get-sum']);
  expect(tools[0].serverUrl).toBe(`stdio:${process.execPath}`);
  expect(await injector.callTool({ name: 'bmcp_everything_echo', arguments: { message: 'hi' } }, toolContext())).toEqual({ content: [{ type: 'text', text: 'Echo: hi' }] });
  expect(await injector.callTool({ name: 'bmcp_everything_get-sum', arguments: '{"a":2,"b":40}' }, toolContext())).toEqual({
    content: [{ type: 'text', text: 'The sum of 2 and 40 is 42.' }],
  });
});

test('the child gets its env and cwd, not the secrets of this process; close() ends it', async () => {
  process.env.AIBRIDGE_TEST_SECRET = 'sk-parent-secret';
  const cwd = join(__dirname, '..', 'fixtures');
  const injector = track(mcpToolInjector({ servers: [{ name: 'fixture', command: process.execPath, args: [FIXTURE], env: { MCP_FIXTURE_VALUE: 'v1' }, cwd }] }));
  const seen = await whoami(injector);
  expect(seen).toMatchObject({ value: 'v1', secret: null, cwd });
  expect(alive(seen.pid)).toBe(true);
  await injector.close();
  await waitFor(() => alive(seen.pid), (a) => !a);
});

test('a child process that dies is started again', async () => {
  const { logger } = memoryLogger();
  const injector = track(mcpToolInjector({ servers: [{ name: 'fixture', command: process.execPath, args: [FIXTURE] }], retryDelayMs: { initial: 100 }, logger }));
  const { pid } = await whoami(injector);
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => (await injector.listTools(toolContext())).length, (n) => n === 0);
  const next = await waitFor(() => whoami(injector).catch(() => ({ pid })), (s) => s.pid !== pid);
  expect(alive(next.pid)).toBe(true);
});

test('a command that cannot start leaves the other servers working, and the warning says why', async () => {
  const { logger, entries } = memoryLogger();
  const injector = track(mcpToolInjector({
    servers: [{ name: 'missing', command: 'aibridge-no-such-command' }, { name: 'fixture', command: process.execPath, args: [FIXTURE] }],
    retryDelayMs: { initial: 60_000 },
    logger,
  }));
  expect((await injector.listTools(toolContext())).map((t) => t.name)).toEqual(['bmcp_fixture_add', 'bmcp_fixture_whoami']);
  expect(entries.filter((e) => e.level === 'warn' && e.server === 'missing')).toEqual([
    expect.objectContaining({ message: 'MCP server unavailable; retrying', error: 'spawn aibridge-no-such-command ENOENT' }),
  ]);
});

test('the "connected" log counts the tools the server lists and those allow/deny leave to offer', async () => {
  const { logger, entries } = memoryLogger();
  const injector = track(mcpToolInjector({ servers: [{ name: 'fixture', command: process.execPath, args: [FIXTURE] }], allow: /^(add|whoami)$/, deny: /^whoami$/, logger }));
  expect((await injector.listTools(toolContext())).map((t) => t.name)).toEqual(['bmcp_fixture_add']);
  expect(entries.filter((e) => e.message === 'MCP server connected')).toEqual([expect.objectContaining({ server: 'fixture', tools: 2, offered: 1 })]);
});
