#!/usr/bin/env node
/** `express-aibridge-fake-upstream`: the test kit's fake upstream started from the command line, on a port, until interrupted. */
import { parseArgs } from 'node:util';
import { startFakeUpstream } from './index';
import type { FakeUpstreamOptions, ToolCallScript } from './types';

/** The port when `--port` is not given: a fixed one, so a local app's configuration can name it. */
export const CLI_DEFAULT_PORT = 4010;

const USAGE = `Usage: express-aibridge-fake-upstream [options]

A fake OpenAI (chat completions, Responses) and Anthropic (Messages) upstream on 127.0.0.1, for local runs and tests.

  --port <n>              port on 127.0.0.1 (default ${CLI_DEFAULT_PORT}; 0 picks a free one)
  --key <key>             accept only this credential (repeatable; default: any)
  --echo                  chat answers quote the question instead of a recorded answer
  --chunk-delay-ms <n>    pause between streamed events (default 0)
  --tool-call <name>[=<json>]
                          when a request offers the injected tool <name> (e.g. bmcp_docs_search), call it with
                          these arguments (default {}), then answer quoting its result (repeatable)
  --help                  this text`;

/** A client-sent path as one short line of plain ASCII: no control characters reach the terminal. */
function printable(path: string): string {
  return path.slice(0, 200).replace(/[^\x20-\x7e]/g, '?');
}

/** Thrown for a command line the CLI cannot run; the message is shown with the usage. */
class UsageError extends Error {}

function integer(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new UsageError(`--${name} must be an integer from 0 to ${max}, got "${text}".`);
  return n;
}

function toolCall(text: string): ToolCallScript {
  const eq = text.indexOf('=');
  const tool = eq < 0 ? text : text.slice(0, eq);
  if (tool === '') throw new UsageError(`--tool-call needs a tool name, got "${text}".`);
  if (eq < 0) return { tool };
  const args = text.slice(eq + 1);
  try {
    JSON.parse(args);
  } catch {
    throw new UsageError(`--tool-call ${tool}: the arguments must be JSON, got ${args}.`);
  }
  return { tool, arguments: args };
}

/** The options a command line asks for, or `'help'`; throws a UsageError for anything it does not understand. */
export function parseCommandLine(argv: string[]): FakeUpstreamOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        key: { type: 'string', multiple: true },
        echo: { type: 'boolean' },
        'chunk-delay-ms': { type: 'string' },
        'tool-call': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.help) return 'help';
  return {
    port: parsed.port === undefined ? CLI_DEFAULT_PORT : integer('port', parsed.port, 65535),
    keys: parsed.key,
    echo: parsed.echo ?? false,
    chunkDelayMs: parsed['chunk-delay-ms'] === undefined ? 0 : integer('chunk-delay-ms', parsed['chunk-delay-ms'], 60_000),
    toolCalls: (parsed['tool-call'] ?? []).map(toolCall),
    // A long local run must not keep every request: each one is printed instead (method and path, never headers).
    recordRequests: false,
  };
}

/** Runs the CLI: starts the fake and resolves once it has closed on SIGINT or SIGTERM. Resolves to the exit status. */
export async function runCommandLine(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  const fake = await startFakeUpstream({
    ...options,
    behaviour: (req) => {
      out.write(`${req.method} ${printable(req.url.split('?')[0])}\n`);
      return 'default';
    },
  });
  out.write(`fake upstream listening on ${fake.origin}\n  OpenAI baseURL:    ${fake.url}\n  Anthropic baseURL: ${fake.origin}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void fake.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

if (require.main === module) {
  runCommandLine(process.argv.slice(2), process.stdout, process.stderr).then(
    (status) => process.exit(status),
    (e: unknown) => {
      process.stderr.write(`express-aibridge-fake-upstream: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
