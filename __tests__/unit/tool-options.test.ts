/** mcpToolInjector option validation: every bad option is named; defaults; nothing connects on a bad config. */
import { resolveMcpOptions, MCP_DEFAULTS } from '../../lib/tools/mcp-options';
import { mcpToolInjector } from '../../lib';

const http = { name: 'wiki', url: 'https://mcp.example.com/mcp' };

describe('mcpToolInjector validates its options and names the bad one', () => {
  test.each([
    ['servers', undefined],
    ['servers', {}],
    ['servers', { servers: [] }],
    ['servers', { servers: 'x' }],
    ['servers[0]', { servers: [{ name: 'a' }] }],
    ['servers[0]', { servers: [{ name: 'a', url: 'https://x', command: 'node' }] }],
    ['servers[0]', { servers: [null] }],
    ['servers[0].name', { servers: [{ name: '', url: 'https://x' }] }],
    ['servers[0].name', { servers: [{ url: 'https://x' }] }],
    ['servers[0].url', { servers: [{ name: 'a', url: 'ftp://x' }] }],
    ['servers[0].url', { servers: [{ name: 'a', url: 'not a url' }] }],
    ['servers[0].headers', { servers: [{ ...http, headers: 'Bearer x' }] }],
    ['servers[0].headers.bad header', { servers: [{ ...http, headers: { 'bad header': 'x' } }] }],
    ['servers[0].headers.authorization', { servers: [{ ...http, headers: { authorization: 'a\r\nb' } }] }],
    ['servers[0].transport', { servers: [{ ...http, transport: 'websocket' }] }],
    ['servers[0].urll', { servers: [{ ...http, urll: 'x' }] }],
    ['servers[1].command', { servers: [http, { name: 'b', command: '' }] }],
    ['servers[1].args', { servers: [http, { name: 'b', command: 'node', args: 'x.js' }] }],
    ['servers[1].env.A', { servers: [http, { name: 'b', command: 'node', env: { A: 1 } }] }],
    ['servers[1].cwd', { servers: [http, { name: 'b', command: 'node', cwd: 3 }] }],
    ['servers[1].name', { servers: [http, { ...http }] }],
    ['allow', { servers: [http], allow: 'read' }],
    ['deny', { servers: [http], deny: ['x'] }],
    ['maxIterations', { servers: [http], maxIterations: 0 }],
    ['callTimeoutMs', { servers: [http], callTimeoutMs: 1.5 }],
    ['listTtlMs', { servers: [http], listTtlMs: -1 }],
    ['connectTimeoutMs', { servers: [http], connectTimeoutMs: '10s' }],
    ['retryDelayMs.initial', { servers: [http], retryDelayMs: { initial: 0 } }],
    ['retryDelayMs.max', { servers: [http], retryDelayMs: { initial: 5000, max: 10 } }],
    ['retryDelayMs.maximum', { servers: [http], retryDelayMs: { maximum: 10 } }],
    ['logger', { servers: [http], logger: console.log }],
    ['alow', { servers: [http], alow: /x/ }],
    ['injectWhen', { servers: [http], injectWhen: 'never' }],
    ['sessionTtlMs', { servers: [http], sessionTtlMs: 0 }],
    ['maxSessions', { servers: [http], maxSessions: 2.5 }],
    ['servers[1].headers', { servers: [http, { name: 'b', command: 'node', headers: () => ({}) }] }],
  ])('bad `%s`', (option, options) => {
    const escaped = option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(() => mcpToolInjector(options as never)).toThrow(new RegExp(`^mcpToolInjector: option \`${escaped}\` `));
  });

  test('defaults, the stdio label and a URL label without credentials, query or fragment', () => {
    const config = resolveMcpOptions({
      servers: [
        { name: 'wiki', url: 'https://user:pw@mcp.example.com/mcp?key=secret#x' },
        { name: 'fs', command: 'npx', args: ['-y', 'server-fs'] },
      ],
    });
    expect(config).toMatchObject({ ...MCP_DEFAULTS, allow: undefined, deny: undefined, logger: undefined });
    expect(config.servers.map((s) => s.label)).toEqual(['https://mcp.example.com/mcp', 'stdio:npx']);
    expect(config.servers[0]).toMatchObject({ kind: 'http', transport: 'auto', headers: {} });
  });
});

describe('per-actor headers and policy functions', () => {
  test('headers may be a function (kept apart from the static headers); allow and deny may be functions; new defaults', () => {
    const headersOf = () => ({ authorization: 'Bearer x' });
    const allow = () => true;
    const config = resolveMcpOptions({ servers: [{ ...http, headers: headersOf }], allow, deny: /^rm$/g });
    expect(config.servers[0]).toMatchObject({ kind: 'http', headers: {}, headersOf });
    expect(config.allow).toBe(allow);
    expect(config.deny).toEqual(/^rm$/);
    expect(config).toMatchObject({ injectWhen: 'always', sessionTtlMs: 600_000, maxSessions: 1_000 });
  });

  test('a static server has no headers function', () => {
    const config = resolveMcpOptions({ servers: [{ ...http, headers: { authorization: 'Bearer x' } }], injectWhen: 'client-has-tools' });
    expect(config.servers[0]).not.toHaveProperty('headersOf');
    expect(config.injectWhen).toBe('client-has-tools');
  });
});
