/** Which injected tools one request offers: bounded in count and, whatever a tool server lists, in bytes. */
import winston from 'winston';
import { MAX_INJECTED_TOOL_BYTES, OfferedTools } from '../../lib/pipeline/loop/offered-tools';
import type { InjectedTool } from '../../lib/tools/types';
import { MemoryTransport } from '../helpers/gateway';

function offered(maxInjectedTools = 64) {
  const logs = new MemoryTransport();
  return { logs, tools: new OfferedTools(maxInjectedTools, winston.createLogger({ transports: [logs] })) };
}

const size = (tools: readonly InjectedTool[]) => tools.reduce((n, t) => n + JSON.stringify(t).length, 0);
const tool = (i: number, descriptionBytes: number): InjectedTool => ({
  name: `bmcp_evil_t${String(i).padStart(2, '0')}`, description: 'd'.repeat(descriptionBytes), inputSchema: { type: 'object' },
});

test('64 tools of 1 MB each (a hostile tool server) add at most MAX_INJECTED_TOOL_BYTES to a request; the rest is logged once', () => {
  const { logs, tools } = offered();
  const listed = Array.from({ length: 64 }, (_, i) => tool(i, 1_000_000));
  const first = tools.select(listed, [], { providerName: 'openai' });
  expect(size(first)).toBeLessThanOrEqual(MAX_INJECTED_TOOL_BYTES);
  expect(first.map((t) => t.name)).toEqual(listed.slice(0, first.length).map((t) => t.name));
  tools.select(listed, [], { providerName: 'openai' });
  const lines = logs.lines.filter((l) => l.includes('bytes of definitions'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`left out: bmcp_evil_t${String(first.length).padStart(2, '0')}`);
});

test('one oversized tool is left out, the small ones after it are kept', () => {
  const { tools } = offered();
  const listed = [tool(0, 100), tool(1, MAX_INJECTED_TOOL_BYTES), tool(2, 100)];
  expect(tools.select(listed, [], { providerName: 'openai' }).map((t) => t.name)).toEqual(['bmcp_evil_t00', 'bmcp_evil_t02']);
});

test('ordinary tool sets are offered whole, as the injector listed them', () => {
  const { logs, tools } = offered();
  const listed = Array.from({ length: 40 }, (_, i) => tool(39 - i, 2000));
  expect(tools.select(listed, [], { providerName: 'openai' })).toBe(listed);
  expect(logs.lines).toEqual([]);
});
