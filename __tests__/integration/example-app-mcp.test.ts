/** The example app's MCP_SERVERS: a Streamable HTTP server's tools offered next to the demo's, and clear startup errors. */
import OpenAI from 'openai';
import { spawnExampleApp, type ExampleApp } from '../helpers/example-app-process';
import { startZooHttp, type ToolZoo } from '../helpers/mcp-test-server';
import type { McpHttpHost } from '../helpers/mcp-http-host';

describe('example app with MCP_SERVERS', () => {
  let zoo: ToolZoo;
  let host: McpHttpHost;
  let app: ExampleApp;

  beforeAll(async () => {
    ({ zoo, host } = await startZooHttp());
    app = spawnExampleApp({ MCP_SERVERS: JSON.stringify([{ name: 'zoo', url: host.url }]), LOG_LEVEL: 'info' });
    await app.waitForOutput(/listening on http/);
  });

  afterAll(async () => {
    await app.stop();
    await host.close();
  });

  test('connects to the listed server as well as the demo server, and says so', async () => {
    expect(app.stdout).toContain('MCP tools from: zoo, demo');
    // The injector logs each server it connected to, with its tool count: the zoo has six.
    await app.waitForOutput(/MCP server connected.*"server":"zoo","tools":6/);
    await app.waitForOutput(/MCP server connected.*"server":"demo","tools":2/);
  });

  test('requests still work with the zoo\'s tools offered; none is called (the fake model calls only the tools it knows)', async () => {
    const origin = (await app.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
    const client = new OpenAI({ apiKey: 'demo-token-alice', baseURL: `${origin}/ai/openai/v1`, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
    expect(answer.choices[0].message.content).toContain('You asked: "Hello"');
    expect(zoo.state.calls).toEqual([]);
  });
});

describe('example app with a bad MCP_SERVERS', () => {
  test.each([
    ['invalid JSON', '[{"name":', /MCP_SERVERS is not valid JSON .*expected an array such as \[\{"name":"deepwiki"/],
    ['not an array', '{"name":"x","url":"http://127.0.0.1:1/mcp"}', /MCP_SERVERS must be a JSON array of servers/],
    ['an entry mcpToolInjector refuses', '[{"name":"x","url":"ftp://example.com"}]', /mcpToolInjector: option `servers\[0\]\.url` must be an http\(s\) URL/],
  ])('%s: the app does not start and says why', async (_label, value, message) => {
    const app = spawnExampleApp({ MCP_SERVERS: value });
    expect(await app.exited).toBe(1);
    expect(app.stderr).toMatch(new RegExp(`^example-app failed to start: ${message.source}`));
    expect(app.stdout).not.toContain('listening on');
  });
});
