/** The kit's command line (`express-aibridge-fake-upstream`, i.e. dist/testing/cli.js) as a child process answering on its port. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/testing/cli.js');

interface Cli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<number | null>;
}

function runCli(args: string[]): Cli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, get stdout() { return stdout; }, get stderr() { return stderr; }, exited };
}

/** The origin the CLI announces; rejects if it exits first. */
async function listening(cli: Cli): Promise<string> {
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout);
    if (match) return match[1];
    if (cli.child.exitCode !== null) throw new Error(`the CLI exited (${cli.child.exitCode}):\n${cli.stdout}\n${cli.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(() => {
  // The CLI runs compiled, as an installed package runs it; build once if nobody has yet.
  if (!existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
});

describe('express-aibridge-fake-upstream', () => {
  let cli: Cli;
  let origin: string;
  beforeAll(async () => {
    cli = runCli(['--port', '0', '--key', 'sk-cli', '--tool-call', 'bmcp_docs_search={"query":"express"}']);
    origin = await listening(cli);
  });
  afterAll(async () => {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  });

  test('prints both base URLs', () => {
    expect(cli.stdout).toContain(`OpenAI baseURL:    ${origin}/v1`);
    expect(cli.stdout).toContain(`Anthropic baseURL: ${origin}\n`);
  });

  test('answers the OpenAI SDK on its port, with the key it was given, and logs method and path only', async () => {
    const client = new OpenAI({ apiKey: 'sk-cli', baseURL: `${origin}/v1`, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.object).toBe('chat.completion');
    await expect(new OpenAI({ apiKey: 'sk-other', baseURL: `${origin}/v1`, maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
    expect(cli.stdout).toContain('GET /v1/models\nPOST /v1/chat/completions\n');
    expect(cli.stdout).not.toContain('sk-cli');
  });

  test('calls the tool named by --tool-call with its arguments, streamed, through the Anthropic SDK', async () => {
    const client = new Anthropic({ apiKey: 'sk-cli', baseURL: origin, maxRetries: 0 });
    const tools = [{ name: 'bmcp_docs_search', input_schema: { type: 'object' as const } }];
    const message = await client.messages.stream({ model: 'claude-test', max_tokens: 50, tools, messages: [{ role: 'user', content: 'Find the docs' }] }).finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'bmcp_docs_search', input: { query: 'express' } })]);
  });

  test('stops cleanly on SIGTERM', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('command-line errors', () => {
  test.each([
    [['--port', 'abc'], '--port must be an integer from 0 to 65535, got "abc".'],
    [['--tool-call', 'x={bad'], '--tool-call x: the arguments must be JSON'],
    [['--colour'], "Unknown option '--colour'"],
  ])('%j exits 2 with the reason and the usage', async (args, message) => {
    const cli = runCli(args);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr).toContain(message);
    expect(cli.stderr).toContain('Usage: express-aibridge-fake-upstream');
  });

  test('--help prints the usage and exits 0', async () => {
    const cli = runCli(['--help']);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout).toContain('--tool-call <name>[=<json>]');
  });
});
