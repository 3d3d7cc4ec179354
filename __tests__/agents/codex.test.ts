/** Codex (`codex exec`) through the bridge's OpenAI Responses route, in front of the fake upstream. */
import fs from 'node:fs';
import path from 'node:path';
import { responsesScript } from '../helpers/responses-script';
import { AGENT_USER, INJECTED_TOOL, startAgentRig, type AgentRig } from './harness/agent-rig';
import { agentInstall, describeAgent } from './harness/installed';
import { writeResult } from './harness/report';
import { offersTool, responsesToolResult } from './harness/scripts';
import { baseEnv, makeSandbox, runAgent, type Sandbox } from './harness/run-agent';

const install = agentInstall('codex');

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

  function codex(prompt: string, extraArgs: string[] = []) {
    const codexHome = path.join(sandbox.home, '.codex');
    fs.mkdirSync(codexHome, { recursive: true });
    fs.writeFileSync(path.join(codexHome, 'config.toml'), [
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
      `base_url = "${rig.gw.url}/openai/v1"`,
      'wire_api = "responses"',
      'env_key = "AIBRIDGE_USER_TOKEN"',
      '',
    ].join('\n'));
    const env = { ...baseEnv(sandbox, rig.egress.url), CODEX_HOME: codexHome, AIBRIDGE_USER_TOKEN: AGENT_USER.token };
    const bin = 'bin' in install ? install.bin : 'codex';
    return runAgent(bin, ['exec', '--skip-git-repo-check', ...extraArgs, prompt], { cwd: sandbox.workspace, env });
  }

  test('pong', async () => {
    rig.script(responsesScript(() => ({ text: 'pong' })));
    const run = await codex('Reply with the single word pong.');
    const result = writeResult('codex', 'pong', rig, run);
    console.log(JSON.stringify(result, null, 2));
    expect(run.stdout).toMatch(/pong/);
  });

  test('injected MCP tool', async () => {
    rig.script(responsesScript((req) => {
      if (!offersTool(req.json, INJECTED_TOOL)) return { text: 'side request' };
      const result = responsesToolResult(req.json, 'call_injected_1');
      if (result === undefined) return { toolCalls: [{ id: 'call_injected_1', name: INJECTED_TOOL, arguments: '{"a":20,"b":22}' }] };
      return { text: `The zoo says ${result}.` };
    }));
    const run = await codex('Add 20 and 22 with the zoo tool.');
    const result = writeResult('codex', 'injected-tool', rig, run);
    console.log(JSON.stringify(result, null, 2));
    expect(run.stdout).toMatch(/The zoo says 42/);
  });
});
