/** Codex (`codex exec`) through the bridge's OpenAI Responses route, as a custom model provider, in front of the fake upstream. */
import fs from 'node:fs';
import path from 'node:path';
import { responsesScript } from '../helpers/responses-script';
import { AGENT_USER, INJECTED_TOOL, startAgentRig, type AgentRig } from './harness/agent-rig';
import { expectCleanExit, expectClientToolRan, expectInjectedHidden, expectPoolCredentialOnly, expectRecorded } from './harness/expectations';
import { agentInstall, describeAgent } from './harness/installed';
import { writeResult } from './harness/report';
import { offersTool, responsesToolResult } from './harness/scripts';
import { baseEnv, makeSandbox, runAgent, type Sandbox } from './harness/run-agent';

/** A custom provider pointed at the bridge; update checks, analytics, feedback, plugin and app sync off. */
function codexConfig(baseURL: string): string {
  return [
    'model = "gpt-5-codex"',
    'model_provider = "aibridge"',
    'check_for_update_on_startup = false',
    '[analytics]',
    'enabled = false',
    '[feedback]',
    'enabled = false',
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'apps = false',
    'in_app_updates = false',
    '[model_providers.aibridge]',
    'name = "aibridge"',
    `base_url = "${baseURL}"`,
    'wire_api = "responses"',
    'env_key = "AIBRIDGE_USER_TOKEN"',
    '',
  ].join('\n');
}

describeAgent('codex')('Codex', () => {
  let rig: AgentRig;
  let sandbox: Sandbox;
  beforeAll(async () => {
    rig = await startAgentRig();
  });
  afterAll(async () => rig?.close());
  beforeEach(() => {
    rig.reset();
    sandbox = makeSandbox('codex');
  });
  afterEach(() => sandbox.remove());

  async function codex(scenario: string, prompt: string) {
    const codexHome = path.join(sandbox.home, '.codex');
    fs.mkdirSync(codexHome, { recursive: true });
    fs.writeFileSync(path.join(codexHome, 'config.toml'), codexConfig(`${rig.gw.url}/openai/v1`));
    const env = { ...baseEnv(sandbox, rig.egress.url), CODEX_HOME: codexHome, AIBRIDGE_USER_TOKEN: AGENT_USER.token };
    const install = agentInstall('codex');
    const run = await runAgent('bin' in install ? install.bin : 'codex', ['exec', '--skip-git-repo-check', prompt], { cwd: sandbox.workspace, env });
    writeResult('codex', scenario, rig, run);
    return run;
  }

  test('pong: Responses streaming with store:false and encrypted reasoning; session-id and originator reach the upstream; recorded as codex', async () => {
    rig.script(responsesScript(() => ({ text: 'pong' })));
    const run = await codex('pong', 'Reply with the single word pong.');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/pong/);

    const session = await expectRecorded(rig, { route: '/v1/responses', client: 'codex' });
    expectPoolCredentialOnly(rig, 'authorization', 'Bearer sk-agents-openai-pool-0001');
    const [turn] = rig.upstream.requests;
    expect(turn.url).toBe('/v1/responses');
    expect(turn.json).toMatchObject({ stream: true, store: false, include: ['reasoning.encrypted_content'] });
    expect(turn.headers['session-id']).toBe(session);
    expect(turn.headers.originator).toBe('codex_exec');
    expect(Object.keys(turn.headers).some((h) => h.startsWith('x-codex-'))).toBe(true);
    expect(new Set(turn.json.tools.map((t: { type: string }) => t.type))).toEqual(new Set(['function', 'namespace', 'web_search']));
  });

  test('injected MCP tool: the bridge runs it, the agent sees only the final text', async () => {
    rig.script(responsesScript((req) => {
      if (!offersTool(req.json, INJECTED_TOOL)) return { text: 'side request' };
      const result = responsesToolResult(req.json, 'call_injected_1');
      if (result === undefined) return { toolCalls: [{ id: 'call_injected_1', name: INJECTED_TOOL, arguments: '{"a":20,"b":22}' }] };
      return { text: `The zoo says ${result}.` };
    }));
    const run = await codex('injected-tool', 'Add 20 and 22 with the zoo tool.');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/The zoo says 42\./);
    await expectRecorded(rig, { route: '/v1/responses', client: 'codex' });
    await expectInjectedHidden(rig, run, 'call_injected_1');
  });

  test('client tool: the model asks Codex to run exec_command; the call reaches the agent untouched', async () => {
    rig.script(responsesScript((req) => {
      if (!offersTool(req.json, 'exec_command')) return { text: 'side request' };
      const result = responsesToolResult(req.json, 'call_client_1');
      if (result === undefined) return { toolCalls: [{ id: 'call_client_1', name: 'exec_command', arguments: JSON.stringify({ cmd: 'echo agent-tool-$((40+2))' }) }] };
      return { text: `The shell said: ${/agent-tool-\d+/.exec(result)?.[0]}` };
    }));
    const run = await codex('client-tool', 'Run the echo command.');
    expectCleanExit(run);
    // `echo agent-tool-$((40+2))` prints 42 only when a shell really ran it.
    expect(run.stdout).toMatch(/The shell said: agent-tool-42/);
    await expectRecorded(rig, { route: '/v1/responses', client: 'codex' });
    await expectClientToolRan(rig, 'exec_command', 'call_client_1');
  });
});
