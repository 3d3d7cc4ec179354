/** mcpToolInjector().status(): each server's state, tool counts around allow/deny, last error without secrets, last listing. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mcpToolInjector, type McpToolInjector } from '../../lib';
import type { McpHttpHost } from '../helpers/mcp-http-host';
import { memoryLogger, toolContext, waitFor } from '../helpers/mcp-context';
import { startZooHttp } from '../helpers/mcp-test-server';

const injectors: McpToolInjector[] = [];
let zooHost: McpHttpHost;
let echo: http.Server;
let echoUrl: string;

function track(injector: McpToolInjector): McpToolInjector {
  injectors.push(injector);
  return injector;
}

beforeAll(async () => {
  ({ host: zooHost } = await startZooHttp());
  // A hostile server: answers every request with a 500 quoting its Authorization header and URL back.
  echo = http.createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`denied ${req.headers.authorization} at ${req.url}\u0007 https://admin:pw-9731@internal.example/x?sig=abc`);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  await Promise.all(injectors.splice(0).map((i) => i.close()));
  await zooHost.close();
  echo.closeAllConnections();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

test('a connected server: ready, counts before and after allow/deny, when it was listed; connecting before that', async () => {
  const before = Date.now();
  const injector = track(mcpToolInjector({ servers: [{ name: 'zoo', url: `${zooHost.url}?token=zoo-secret-1` }], allow: /^(add|fail|hang)$/, deny: /^hang$/, logger: memoryLogger().logger }));
  expect(injector.status().servers).toEqual([{ name: 'zoo', url: zooHost.url, state: 'connecting', toolsListed: 0, toolsAllowed: 0 }]);
  await injector.listTools(toolContext());
  const [zoo] = injector.status().servers;
  expect(zoo).toMatchObject({ name: 'zoo', url: zooHost.url, state: 'ready', toolsListed: 6, toolsAllowed: 2 });
  expect(zoo.lastError).toBeUndefined();
  expect(zoo.lastListedAt).toBeInstanceOf(Date);
  expect(zoo.lastListedAt!.getTime()).toBeGreaterThanOrEqual(before);
  expect(JSON.stringify(injector.status())).not.toContain('zoo-secret-1');
});

test('a failing server: failed, its last error redacted (header value, URL query, credentials, control bytes), the others unaffected', async () => {
  const injector = track(mcpToolInjector({
    servers: [
      { name: 'zoo', url: zooHost.url },
      { name: 'hostile', url: `${echoUrl}?api_key=query-secret-42`, headers: { Authorization: 'Bearer mcp-header-secret-77' }, transport: 'streamable-http' },
    ],
    retryDelayMs: { initial: 60_000 },
    logger: memoryLogger().logger,
  }));
  await injector.listTools(toolContext());
  const [zoo, hostile] = injector.status().servers;
  expect(zoo.state).toBe('ready');
  expect(hostile).toMatchObject({ name: 'hostile', url: echoUrl, state: 'failed', toolsListed: 0, toolsAllowed: 0 });
  expect(hostile.lastListedAt).toBeUndefined();
  const message = hostile.lastError!.message;
  expect(message).toMatch(/^Streamable HTTP error/);
  expect(message).toContain('denied');
  for (const secret of ['mcp-header-secret-77', 'query-secret-42', 'pw-9731', 'sig=abc', '\u0007']) expect(message).not.toContain(secret);
  expect(message.length).toBeLessThanOrEqual(300);
  expect(hostile.lastError!.at).toBeInstanceOf(Date);
});

test('a server that goes away is failed with the loss as its last error; after close() every server is closed', async () => {
  const { host } = await startZooHttp();
  const injector = track(mcpToolInjector({ servers: [{ name: 'gone', url: host.url }], retryDelayMs: { initial: 60_000 }, logger: memoryLogger().logger }));
  await injector.listTools(toolContext());
  expect(injector.status().servers[0].state).toBe('ready');
  await host.close();
  // The loss shows at the next use of the connection.
  await injector.callTool({ name: 'bmcp_gone_add', arguments: { a: 1, b: 2 } }, toolContext());
  const [gone] = await waitFor(() => injector.status().servers, ([s]) => s.state === 'failed');
  expect(gone.lastError?.message).toBeTruthy();
  expect(gone.lastListedAt).toBeInstanceOf(Date);
  await injector.close();
  expect(injector.status().servers[0].state).toBe('closed');
});
