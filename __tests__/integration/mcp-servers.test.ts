/** mcpToolInjector and unreliable or unusual servers: pagination, TTL refresh, retry with backoff, hung servers, legacy SSE. */
import { mcpToolInjector, type McpToolInjector } from '../../lib';
import { freePort, hostSilent, hostStreamableHttp, type McpHttpHost } from '../helpers/mcp-http-host';
import { memoryLogger, toolContext, waitFor } from '../helpers/mcp-context';
import { pagedServerFactory, startZooHttp, startZooLegacySse, type PagedState } from '../helpers/mcp-test-server';

const hosts: McpHttpHost[] = [];
const injectors: McpToolInjector[] = [];

function track(injector: McpToolInjector): McpToolInjector {
  injectors.push(injector);
  return injector;
}

async function host<T extends { host: McpHttpHost }>(started: Promise<T>): Promise<T> {
  const value = await started;
  hosts.push(value.host);
  return value;
}

afterEach(async () => {
  await Promise.all(injectors.splice(0).map((i) => i.close()));
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

const names = async (injector: McpToolInjector) => (await injector.listTools(toolContext())).map((t) => t.name);

describe('tool lists', () => {
  test('every page is read, following nextCursor', async () => {
    const state: PagedState = { tools: Array.from({ length: 23 }, (_, i) => `t${String(i).padStart(2, '0')}`), pageSize: 5, listCalls: 0 };
    const { host: paged } = await host(hostStreamableHttp(pagedServerFactory(state)).then((h) => ({ host: h })));
    const injector = track(mcpToolInjector({ servers: [{ name: 'paged', url: paged.url }] }));
    expect(await names(injector)).toEqual(state.tools.map((t) => `bmcp_paged_${t}`));
    expect(state.listCalls).toBe(5);
    expect(await injector.callTool({ name: 'bmcp_paged_t22', arguments: {} }, toolContext())).toEqual({ content: [{ type: 'text', text: 'called t22' }] });
  });

  test('a cursor that never ends does not hang the listing', async () => {
    const state: PagedState = { tools: ['a', 'b'], pageSize: 1, endlessCursor: true, listCalls: 0 };
    const { host: paged } = await host(hostStreamableHttp(pagedServerFactory(state)).then((h) => ({ host: h })));
    const { logger, entries } = memoryLogger();
    const injector = track(mcpToolInjector({ servers: [{ name: 'paged', url: paged.url }], logger }));
    expect(await names(injector)).toEqual(['bmcp_paged_a']);
    expect(state.listCalls).toBe(2);
    expect(entries.map((e) => e.message)).toContain('MCP server tool list did not end; using the pages read so far');
  });

  test('a list older than listTtlMs is fetched again (the server sent no list_changed)', async () => {
    const state: PagedState = { tools: ['old'], pageSize: 10, listCalls: 0 };
    const { host: paged } = await host(hostStreamableHttp(pagedServerFactory(state)).then((h) => ({ host: h })));
    const injector = track(mcpToolInjector({ servers: [{ name: 'paged', url: paged.url }], listTtlMs: 1_000 }));
    expect(await names(injector)).toEqual(['bmcp_paged_old']);
    state.tools = ['new'];
    expect(await names(injector)).toEqual(['bmcp_paged_old']);
    expect(state.listCalls).toBe(1);
    await waitFor(() => names(injector), (n) => n[0] === 'bmcp_paged_new');
  });
});

describe('failing servers', () => {
  test('a server that is down is retried with backoff while another serves; its tools appear once it is up', async () => {
    const { host: zoo } = await host(startZooHttp());
    const port = await freePort();
    const { logger, entries } = memoryLogger();
    const injector = track(mcpToolInjector({
      servers: [{ name: 'late', url: `http://127.0.0.1:${port}/mcp` }, { name: 'zoo', url: zoo.url }],
      retryDelayMs: { initial: 100, max: 400 },
      logger,
    }));
    const first = await names(injector);
    expect(first).toContain('bmcp_zoo_add');
    expect(first.some((n) => n.startsWith('bmcp_late_'))).toBe(false);
    const retries = await waitFor(() => entries.filter((e) => e.message === 'MCP server unavailable; retrying' && e.server === 'late'), (r) => r.length >= 3);
    expect(retries.slice(0, 3).map((e) => e.retryInMs)).toEqual([100, 200, 400]);
    expect((await injector.callTool({ name: 'bmcp_late_add', arguments: {} }, toolContext())).isError).toBe(true);

    await host(startZooHttp(port));
    const after = await waitFor(() => names(injector), (n) => n.includes('bmcp_late_add'));
    expect(after.filter((n) => n.startsWith('bmcp_zoo_'))).toEqual(first.filter((n) => n.startsWith('bmcp_zoo_')));
    expect(await injector.callTool({ name: 'bmcp_late_add', arguments: { a: 1, b: 2 } }, toolContext())).toEqual({ content: [{ type: 'text', text: '3' }] });
  });

  test('a hung server delays the first listing by at most connectTimeoutMs, and no request after that', async () => {
    const silent = await hostSilent();
    hosts.push(silent);
    const { host: zoo } = await host(startZooHttp());
    const injector = track(mcpToolInjector({
      servers: [{ name: 'hung', url: silent.url }, { name: 'zoo', url: zoo.url }],
      connectTimeoutMs: 300,
      retryDelayMs: { initial: 60_000 },
      logger: memoryLogger().logger,
    }));
    let started = Date.now();
    expect(await names(injector)).toContain('bmcp_zoo_add');
    expect(Date.now() - started).toBeLessThan(5_000);
    started = Date.now();
    await names(injector);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('legacy HTTP+SSE servers', () => {
  test('without `transport`, a 4xx on Streamable HTTP falls back to SSE', async () => {
    const { host: sse } = await host(startZooLegacySse());
    const injector = track(mcpToolInjector({ servers: [{ name: 'old', url: sse.url, headers: { 'x-mcp-token': 't0k' } }] }));
    expect(await names(injector)).toContain('bmcp_old_add');
    expect(await injector.callTool({ name: 'bmcp_old_add', arguments: { a: 2, b: 2 } }, toolContext())).toEqual({ content: [{ type: 'text', text: '4' }] });
    expect(sse.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /sse');
    for (const r of sse.requests) expect(r.headers['x-mcp-token']).toBe('t0k');
  });

  test("`transport: 'sse'` goes straight to SSE; `'streamable-http'` never falls back", async () => {
    const { host: sse } = await host(startZooLegacySse());
    const direct = track(mcpToolInjector({ servers: [{ name: 'old', url: sse.url, transport: 'sse' }] }));
    expect(await names(direct)).toContain('bmcp_old_add');
    expect(sse.requests.map((r) => `${r.method} ${r.path}`)).not.toContain('POST /sse');
    const strict = track(mcpToolInjector({ servers: [{ name: 'old', url: sse.url, transport: 'streamable-http' }], retryDelayMs: { initial: 60_000 }, logger: memoryLogger().logger }));
    expect(await names(strict)).toEqual([]);
  });
});
