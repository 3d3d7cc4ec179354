/** Claude Code (`claude -p`) through the bridge's Anthropic Messages route, in front of the fake upstream. */
import fs from 'node:fs';
import path from 'node:path';
import { anthropicScript } from '../helpers/anthropic-script';
import { ACCESS_KEYS } from '../helpers/bedrock-upstream';
import { AGENT_USER, BEDROCK_MODELS, INJECTED_TOOL, startAgentRig, type AgentRig } from './harness/agent-rig';
import { expectCleanExit, expectClientToolRan, expectInjectedHidden, expectPoolCredentialOnly, expectRecorded } from './harness/expectations';
import { agentInstall, describeAgent } from './harness/installed';
import { writeResult } from './harness/report';
import { anthropicToolResult, offersTool } from './harness/scripts';
import { baseEnv, makeSandbox, runAgent, type Sandbox } from './harness/run-agent';

const POOL_KEY = 'sk-ant-agents-pool-0001';

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

  /** Runs `claude -p` against the bridge's `provider` route (`anthropic`, or `bedrock`: the same Messages API, another upstream). */
  async function claude(scenario: string, prompt: string, provider = 'anthropic') {
    const env = {
      ...baseEnv(sandbox, rig.egress.url),
      ANTHROPIC_BASE_URL: `${rig.gw.url}/${provider}`,
      // A bridge user token, sent as `Authorization: Bearer`; the bridge swaps it for the pool key.
      ANTHROPIC_AUTH_TOKEN: AGENT_USER.token,
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_BUG_COMMAND: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
    const install = agentInstall('claude-code');
    const run = await runAgent('bin' in install ? install.bin : 'claude', ['-p', prompt], { cwd: sandbox.workspace, env });
    writeResult('claude-code', scenario, rig, run);
    return run;
  }

  /** The agent's own turn, as opposed to side requests (titles, summaries) that carry no tools. */
  const mainTurn = (body: unknown) => offersTool(body, 'Read');

  test('pong: Messages streaming with ?beta=true, its beta list and session header reach the upstream; recorded as claude-code', async () => {
    rig.script(anthropicScript(() => ({ text: 'pong' })));
    const run = await claude('pong', 'Reply with the single word pong.');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/pong/);

    const session = await expectRecorded(rig, { route: '/v1/messages', client: 'claude-code' });
    expectPoolCredentialOnly(rig, 'x-api-key', POOL_KEY);
    const turn = rig.upstream.requests.find((r) => mainTurn(r.json))!;
    expect(turn.url).toBe('/v1/messages?beta=true');
    expect(turn.json.stream).toBe(true);
    expect(String(turn.headers['anthropic-beta']).split(',')).toEqual(expect.arrayContaining(['claude-code-20250219', 'context-management-2025-06-27']));
    expect(turn.headers['x-claude-code-session-id']).toBe(session);
    expect(turn.headers['x-app']).toBe('cli');
    expect(turn.json).toHaveProperty('thinking');
    expect(turn.json).toHaveProperty('context_management');
  });

  test('injected MCP tool: the bridge runs it, the agent sees only the final text', async () => {
    rig.script(anthropicScript((req) => {
      if (!mainTurn(req.json) || !offersTool(req.json, INJECTED_TOOL)) return { text: 'side request' };
      const result = anthropicToolResult(req.json, 'toolu_injected_1');
      if (result === undefined) return { toolCalls: [{ id: 'toolu_injected_1', name: INJECTED_TOOL, input: '{"a":20,"b":22}' }] };
      return { text: `The zoo says ${result}.` };
    }));
    const run = await claude('injected-tool', 'Add 20 and 22 with the zoo tool.');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/The zoo says 42\./);
    await expectRecorded(rig, { route: '/v1/messages', client: 'claude-code' });
    await expectInjectedHidden(rig, run, 'toolu_injected_1');
  });

  test('through bedrockProvider: streamed via Bedrock\'s event stream, each call signed, betas filtered, the invoked model recorded', async () => {
    rig.script(anthropicScript(() => ({ text: 'pong' })));
    const run = await claude('bedrock-pong', 'Reply with the single word pong.', 'bedrock');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/pong/);

    await expectRecorded(rig, { route: '/v1/messages', client: 'claude-code' });
    const calls = rig.bedrock.requests;
    expect(calls.length).toBeGreaterThan(0);
    for (const r of calls) {
      expect(r.auth).toMatchObject({ kind: 'sigv4', accessKeyId: ACCESS_KEYS.accessKeyId });
      expect(Object.values(BEDROCK_MODELS)).toContain(r.modelId);
      expect(r.url).not.toContain('?');
      expect(r.json).toMatchObject({ anthropic_version: 'bedrock-2023-05-31' });
      expect(r.json).not.toHaveProperty('model');
      expect(r.json).not.toHaveProperty('stream');
      expect(JSON.stringify(r.headers)).not.toContain(AGENT_USER.token);
      expect(Object.keys(r.headers).filter((h) => h.startsWith('anthropic-'))).toEqual([]);
    }
    const turn = calls.find((r) => mainTurn(r.json))!;
    expect(turn.path).toBe(`/model/${encodeURIComponent(BEDROCK_MODELS.main)}/invoke-with-response-stream`);
    expect(turn.json!.anthropic_beta).not.toContain('claude-code-20250219');
    for (const i of rig.gw.recorder.interceptions) expect(Object.values(BEDROCK_MODELS)).toContain(i.upstreamModel);
  });

  test('client tool: the model asks Claude Code to Read a file; the call reaches the agent untouched', async () => {
    const file = path.join(sandbox.workspace, 'note.txt');
    fs.writeFileSync(file, 'the secret word is marmalade\n');
    rig.script(anthropicScript((req) => {
      if (!mainTurn(req.json)) return { text: 'side request' };
      const result = anthropicToolResult(req.json, 'toolu_client_1');
      if (result === undefined) return { toolCalls: [{ id: 'toolu_client_1', name: 'Read', input: JSON.stringify({ file_path: file }) }] };
      return { text: `The file says: ${/secret word is (\w+)/.exec(result)?.[1]}` };
    }));
    const run = await claude('client-tool', 'What is the secret word in note.txt?');
    expectCleanExit(run);
    expect(run.stdout).toMatch(/The file says: marmalade/);
    await expectRecorded(rig, { route: '/v1/messages', client: 'claude-code' });
    await expectClientToolRan(rig, 'Read', 'toolu_client_1');
  });
});
