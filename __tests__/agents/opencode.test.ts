/** opencode (`opencode run`) through the bridge's chat-completions route, as a custom OpenAI-compatible provider. */
import fs from 'node:fs';
import path from 'node:path';
import { chatScript } from '../helpers/chat-script';
import { AGENT_USER, INJECTED_TOOL, startAgentRig, type AgentRig } from './harness/agent-rig';
import { expectCleanExit, expectClientToolRan, expectInjectedHidden, expectPoolCredentialOnly, expectRecorded } from './harness/expectations';
import { agentInstall, describeAgent } from './harness/installed';
import { writeResult } from './harness/report';
import { chatToolResult, offersTool } from './harness/scripts';
import { baseEnv, makeSandbox, runAgent, type Sandbox } from './harness/run-agent';

/** A custom provider (opencode's bundled OpenAI-compatible SDK) pointed at the bridge, auto-update and sharing off. */
function opencodeConfig(baseURL: string) {
  return {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    model: 'aibridge/gpt-4o-mini',
    provider: {
      aibridge: {
        name: 'aibridge',
        options: { baseURL, apiKey: AGENT_USER.token },
        models: { 'gpt-4o-mini': { name: 'gpt-4o-mini', tool_call: true } },
      },
    },
  };
}

describeAgent('opencode')('opencode', () => {
  let rig: AgentRig;
  let sandbox: Sandbox;
  beforeAll(async () => {
    rig = await startAgentRig();
  });
  afterAll(async () => rig?.close());
  beforeEach(() => {
    rig.reset();
    sandbox = makeSandbox('opencode');
  });
  afterEach(() => sandbox.remove());

  async function opencode(scenario: string, prompt: string) {
    const configFile = path.join(sandbox.home, 'opencode.json');
    fs.writeFileSync(configFile, JSON.stringify(opencodeConfig(`${rig.gw.url}/openai/v1`)));
    const env = {
      ...baseEnv(sandbox, rig.egress.url),
      OPENCODE_CONFIG: configFile,
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      OPENCODE_DISABLE_CLAUDE_CODE: '1',
      OPENCODE_DISABLE_SHARE: '1',
    };
    const install = agentInstall('opencode');
    const run = await runAgent('bin' in install ? install.bin : 'opencode', ['run', prompt], { cwd: sandbox.workspace, env });
    writeResult('opencode', scenario, rig, run);
    return run;
  }

  /** The agent's own turn, as opposed to the title request, which carries no tools of the agent's. */
  const mainTurn = (body: unknown) => offersTool(body, 'bash');

  test('pong: chat completions streaming; recorded as opencode with its session id', async () => {
    rig.script(chatScript(() => ({ text: 'pong' })));
    const run = await opencode('pong', 'Reply with the single word pong.');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/pong/);

    const session = await expectRecorded(rig, { route: '/v1/chat/completions', client: 'opencode' });
    expectPoolCredentialOnly(rig, 'authorization', 'Bearer sk-agents-openai-pool-0001');
    const turn = rig.upstream.requests.find((r) => mainTurn(r.json))!;
    expect(turn.url).toBe('/v1/chat/completions');
    expect(turn.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(turn.headers['x-session-id']).toBe(session);
  });

  test('injected MCP tool: the bridge runs it, the agent sees only the final text', async () => {
    rig.script(chatScript((req) => {
      if (!mainTurn(req.json)) return { text: 'side request' };
      const result = chatToolResult(req.json, 'call_injected_1');
      if (result === undefined) return { toolCalls: [{ id: 'call_injected_1', name: INJECTED_TOOL, arguments: '{"a":20,"b":22}' }] };
      return { text: `The zoo says ${result}.` };
    }));
    const run = await opencode('injected-tool', 'Add 20 and 22 with the zoo tool.');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/The zoo says 42\./);
    await expectRecorded(rig, { route: '/v1/chat/completions', client: 'opencode' });
    await expectInjectedHidden(rig, run, 'call_injected_1');
  });

  test('client tool: the model asks opencode to run bash; the call reaches the agent untouched', async () => {
    rig.script(chatScript((req) => {
      if (!mainTurn(req.json)) return { text: 'side request' };
      const result = chatToolResult(req.json, 'call_client_1');
      if (result === undefined) return { toolCalls: [{ id: 'call_client_1', name: 'bash', arguments: JSON.stringify({ command: 'echo agent-tool-$((40+2))', description: 'Prints a marker' }) }] };
      return { text: `The shell said: ${/agent-tool-\d+/.exec(result)?.[0]}` };
    }));
    const run = await opencode('client-tool', 'Run the echo command.');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/The shell said: agent-tool-42/);
    await expectRecorded(rig, { route: '/v1/chat/completions', client: 'opencode' });
    await expectClientToolRan(rig, 'bash', 'call_client_1');
  });
});
