/** Claude Code (`claude -p`) through the bridge's Anthropic Messages route, in front of the fake upstream. */
import fs from 'node:fs';
import path from 'node:path';
import { anthropicScript } from '../helpers/anthropic-script';
import { eventually } from '../helpers/gateway';
import { AGENT_USER, INJECTED_TOOL, startAgentRig, type AgentRig } from './harness/agent-rig';
import { agentInstall, describeAgent } from './harness/installed';
import { writeResult } from './harness/report';
import { anthropicToolResult, offersTool } from './harness/scripts';
import { baseEnv, makeSandbox, runAgent, type Sandbox } from './harness/run-agent';

const install = agentInstall('claude-code');

describeAgent('claude-code')('Claude Code', () => {
  let rig: AgentRig;
  let sandbox: Sandbox;
  beforeAll(async () => {
    rig = await startAgentRig();
  });
  afterAll(async () => rig?.close());
  beforeEach(() => {
    rig.reset();
    sandbox = makeSandbox('claude-code');
  });
  afterEach(() => sandbox.remove());

  function claude(prompt: string, extraArgs: string[] = []) {
    const env = {
      ...baseEnv(sandbox, rig.egress.url),
      ANTHROPIC_BASE_URL: `${rig.gw.url}/anthropic`,
      ANTHROPIC_AUTH_TOKEN: AGENT_USER.token,
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_BUG_COMMAND: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
    const bin = 'bin' in install ? install.bin : 'claude';
    return runAgent(bin, ['-p', prompt, ...extraArgs], { cwd: sandbox.workspace, env });
  }

  test('pong', async () => {
    rig.script(anthropicScript(() => ({ text: 'pong' })));
    const run = await claude('Reply with the single word pong.');
    const result = writeResult('claude-code', 'pong', rig, run);
    console.log(JSON.stringify(result, null, 2));
    expect(run.stdout).toMatch(/pong/);
  });

  test('injected MCP tool', async () => {
    rig.script(anthropicScript((req) => {
      if (!offersTool(req.json, INJECTED_TOOL)) return { text: 'side request' };
      const result = anthropicToolResult(req.json, 'toolu_injected_1');
      if (result === undefined) return { toolCalls: [{ id: 'toolu_injected_1', name: INJECTED_TOOL, input: '{"a":20,"b":22}' }] };
      return { text: `The zoo says ${result}.` };
    }));
    const run = await claude('Add 20 and 22 with the zoo tool.');
    const result = writeResult('claude-code', 'injected-tool', rig, run);
    console.log(JSON.stringify(result, null, 2));
    expect(run.stdout).toMatch(/The zoo says 42/);
  });

  test('client tool: Read', async () => {
    fs.writeFileSync(path.join(sandbox.workspace, 'note.txt'), 'the secret word is marmalade\n');
    rig.script(anthropicScript((req) => {
      const result = anthropicToolResult(req.json, 'toolu_client_1');
      if (!offersTool(req.json, 'Read')) return { text: 'side request' };
      if (result === undefined) return { toolCalls: [{ id: 'toolu_client_1', name: 'Read', input: JSON.stringify({ file_path: path.join(sandbox.workspace, 'note.txt') }) }] };
      return { text: `The file says: ${/secret word is (\w+)/.exec(result)?.[1]}` };
    }));
    const run = await claude('What is the secret word in note.txt?');
    const result = writeResult('claude-code', 'client-tool', rig, run);
    console.log(JSON.stringify(result, null, 2));
    expect(run.stdout).toMatch(/The file says: marmalade/);
  });
});
