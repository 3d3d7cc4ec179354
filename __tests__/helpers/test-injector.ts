/** An in-process ToolInjector for loop tests: tools that add, fail, throw and hang, with a log of every call. */
import type { InjectedTool, ToolCallResult, ToolContext, ToolInjector } from '../../lib/tools/types';

export interface LoggedCall {
  name: string;
  arguments: unknown;
  ctx: ToolContext;
  /** Resolves when the call's signal aborts. */
  aborted: Promise<void>;
}

const SCHEMA = { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] };

export const TEST_TOOLS: InjectedTool[] = [
  { name: 'bmcp_calc_add', description: 'Adds two numbers.', inputSchema: SCHEMA, serverName: 'calc', serverUrl: 'http://127.0.0.1:1/mcp' },
  { name: 'bmcp_calc_fail', description: 'Always fails.', inputSchema: { type: 'object' }, serverName: 'calc', serverUrl: 'http://127.0.0.1:1/mcp' },
  { name: 'bmcp_calc_throw', description: 'Throws.', inputSchema: { type: 'object' }, serverName: 'calc', serverUrl: 'http://127.0.0.1:1/mcp' },
  { name: 'bmcp_calc_hang', description: 'Never answers.', inputSchema: { type: 'object' }, serverName: 'calc', serverUrl: 'http://127.0.0.1:1/mcp' },
];

export class TestInjector implements ToolInjector {
  readonly calls: LoggedCall[] = [];
  tools: InjectedTool[] = TEST_TOOLS;
  closed = false;

  constructor(readonly maxIterations?: number, readonly callTimeoutMs?: number) {}

  listTools(): InjectedTool[] {
    return this.tools;
  }

  async callTool(call: { name: string; arguments: unknown }, ctx: ToolContext): Promise<ToolCallResult> {
    const aborted = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.calls.push({ name: call.name, arguments: call.arguments, ctx, aborted });
    const args = call.arguments as { a?: number; b?: number };
    switch (call.name) {
      case 'bmcp_calc_add': return { content: [{ type: 'text', text: String((args.a ?? 0) + (args.b ?? 0)) }] };
      case 'bmcp_calc_fail': return { isError: true, content: [{ type: 'text', text: 'calc is out of order' }] };
      case 'bmcp_calc_throw': throw new Error('connection to calc lost');
      case 'bmcp_calc_hang':
        await aborted;
        throw new Error('aborted');
      default: return { isError: true, content: [{ type: 'text', text: `unknown tool ${call.name}` }] };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
