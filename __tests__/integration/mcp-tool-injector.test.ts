/** mcpToolInjector against a real MCP server over Streamable HTTP: listing, calls, filters, timeouts, abort, list_changed. */
import { mcpToolInjector, type McpToolInjector } from '../../lib';
import type { McpHttpHost } from '../helpers/mcp-http-host';
import { memoryLogger, toolContext, waitFor } from '../helpers/mcp-context';
import { startZooHttp, TINY_PNG, type ToolZoo } from '../helpers/mcp-test-server';

const ZOO_TOOLS = ['add', 'fail', 'hang', 'image', 'structured', 'throw'];

let zoo: ToolZoo;
let host: McpHttpHost;
const injectors: McpToolInjector[] = [];

function injector(options: Partial<Parameters<typeof mcpToolInjector>[0]> = {}): McpToolInjector {
  const created = mcpToolInjector({ servers: [{ name: 'zoo', url: host.url }], ...options });
  injectors.push(created);
  return created;
}

beforeEach(async () => {
  ({ zoo, host } = await startZooHttp());
});

afterEach(async () => {
  await Promise.all(injectors.splice(0).map((i) => i.close()));
  await host.close();
});

describe('listing', () => {
  test('every tool under its shown name, sorted, with its schema, server name and a URL without secrets', async () => {
    const tools = await injector({ servers: [{ name: 'zoo', url: `${host.url}?token=secret`, headers: { Authorization: 'Bearer mcp-secret' } }] }).listTools(toolContext());
    expect(tools.map((t) => t.name)).toEqual(ZOO_TOOLS.map((t) => `bmcp_zoo_${t}`));
    const add = tools.find((t) => t.name === 'bmcp_zoo_add')!;
    expect(add).toMatchObject({ description: 'Adds two numbers', serverName: 'zoo', serverUrl: host.url, serverToolName: 'add' });
    expect(add.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
    expect(host.requests.length).toBeGreaterThan(0);
    for (const r of host.requests) expect(r.headers.authorization).toBe('Bearer mcp-secret');
  });

  test('allow and deny match the raw tool name; deny wins', async () => {
    const tools = await injector({ allow: /^(add|fail|hang)$/, deny: /^hang$/ }).listTools(toolContext());
    expect(tools.map((t) => t.name)).toEqual(['bmcp_zoo_add', 'bmcp_zoo_fail']);
  });

  test('the same array until a list changes (no per-request rebuild); a denied tool cannot be called', async () => {
    const tools = injector({ deny: /^add$/ });
    const first = await tools.listTools(toolContext());
    expect(await tools.listTools(toolContext())).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const result = await tools.callTool({ name: 'bmcp_zoo_add', arguments: { a: 1, b: 2 } }, toolContext());
    expect(result).toMatchObject({ isError: true });
    expect(zoo.state.calls).toEqual([]);
  });

  test('notifications/tools/list_changed refreshes the list', async () => {
    const tools = injector();
    expect(await tools.listTools(toolContext())).toHaveLength(ZOO_TOOLS.length);
    zoo.addTool('late_tool');
    const names = await waitFor(async () => (await tools.listTools(toolContext())).map((t) => t.name), (n) => n.includes('bmcp_zoo_late_tool'));
    expect(names).toHaveLength(ZOO_TOOLS.length + 1);
    expect(await tools.callTool({ name: 'bmcp_zoo_late_tool', arguments: {} }, toolContext())).toEqual({ content: [{ type: 'text', text: 'late_tool' }] });
  });
});

describe('calls', () => {
  test('success, tool error, thrown error, image and structured content come back as the server sent them', async () => {
    const tools = injector();
    const call = (name: string, args: unknown = {}) => tools.callTool({ name: `bmcp_zoo_${name}`, arguments: args }, toolContext());
    expect(await call('add', { a: 2, b: 3 })).toEqual({ content: [{ type: 'text', text: '5' }] });
    expect(await call('add', '{"a":40,"b":2}')).toEqual({ content: [{ type: 'text', text: '42' }] });
    expect(await call('fail')).toEqual({ content: [{ type: 'text', text: 'it failed on purpose' }], isError: true });
    const thrown = await call('throw');
    expect(thrown.isError).toBe(true);
    expect(JSON.stringify(thrown.content)).toContain('boom from the tool');
    expect(await call('image')).toEqual({ content: [{ type: 'image', data: TINY_PNG, mimeType: 'image/png' }] });
    expect(await call('structured')).toEqual({ content: [{ type: 'text', text: '{"value":42}' }], structuredContent: { value: 42 } });
    expect(zoo.state.calls).toEqual(['add', 'add', 'fail', 'throw', 'image', 'structured']);
  });

  test('a call right after creation, before any listing, waits for the first connection instead of failing', async () => {
    const result = await injector().callTool({ name: 'bmcp_zoo_add', arguments: { a: 1, b: 2 } }, toolContext());
    expect(result).toEqual({ content: [{ type: 'text', text: '3' }] });
  });

  test('unknown names and unusable arguments are tool errors; nothing reaches the server', async () => {
    const tools = injector();
    for (const call of [
      { name: 'bmcp_zoo_nope', arguments: {} },
      { name: 'add', arguments: {} },
      { name: 42 as unknown as string, arguments: {} },
      { name: 'bmcp_zoo_add', arguments: '{broken' },
      { name: 'bmcp_zoo_add', arguments: [1, 2] },
    ]) {
      const result = await tools.callTool(call, toolContext());
      expect(result.isError).toBe(true);
      expect(result.content[0]).toMatchObject({ type: 'text', text: expect.any(String) });
    }
    expect(zoo.state.calls).toEqual([]);
  });

  test('a call past callTimeoutMs resolves as a readable tool error and is cancelled on the server', async () => {
    const tools = injector({ callTimeoutMs: 300 });
    const started = Date.now();
    const result = await tools.callTool({ name: 'bmcp_zoo_hang', arguments: {} }, toolContext());
    expect(result).toEqual({ content: [{ type: 'text', text: 'Tool bmcp_zoo_hang timed out after 300 ms.' }], isError: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(() => zoo.state.cancelled, (n) => n === 1);
    expect(await tools.callTool({ name: 'bmcp_zoo_add', arguments: { a: 1, b: 1 } }, toolContext())).toEqual({ content: [{ type: 'text', text: '2' }] });
  });

  test('ctx.signal aborts the call: rejects with an AbortError and the server sees the cancellation', async () => {
    const tools = injector();
    await tools.listTools(toolContext());
    const controller = new AbortController();
    const pending = tools.callTool({ name: 'bmcp_zoo_hang', arguments: {} }, toolContext(controller.signal));
    await waitFor(() => zoo.state.calls, (c) => c.includes('hang'));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await waitFor(() => zoo.state.cancelled, (n) => n === 1);
    await expect(tools.callTool({ name: 'bmcp_zoo_add', arguments: {} }, toolContext(controller.signal))).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('lifecycle', () => {
  test('a logger given later by the bridge is used; one given in the options wins', async () => {
    const attached = memoryLogger();
    const tools = injector();
    tools.attach({ logger: attached.logger });
    await tools.listTools(toolContext());
    expect(attached.entries.some((e) => e.message === 'MCP server connected')).toBe(true);

    const own = memoryLogger();
    const other = memoryLogger();
    const second = injector({ logger: own.logger });
    second.attach({ logger: other.logger });
    await second.listTools(toolContext());
    expect(own.entries.some((e) => e.message === 'MCP server connected')).toBe(true);
    expect(other.entries).toEqual([]);
  });

  test('after close() no tools are listed and calls are tool errors', async () => {
    const tools = injector({ maxIterations: 4 });
    expect(tools.maxIterations).toBe(4);
    await tools.listTools(toolContext());
    await tools.close();
    expect(await tools.listTools(toolContext())).toEqual([]);
    expect((await tools.callTool({ name: 'bmcp_zoo_add', arguments: {} }, toolContext())).isError).toBe(true);
  });
});
