/** Summarises what an agent sent through the bridge and writes one JSON result per scenario next to the installed CLIs. */
import fs from 'node:fs';
import path from 'node:path';
import type { ReceivedRequest } from '../../helpers/fake-openai';
import type { AgentRig } from './agent-rig';
import { agentsCacheDir } from './installed';
import type { AgentRun } from './run-agent';

const HEADERS_OF_NOTE = /^(user-agent|anthropic-beta|anthropic-version|x-app|x-claude-code-session-id|session[-_]id|originator|x-codex-.*|openai-beta|version|x-stainless-.*|x-opencode-.*|x-session-affinity)$/;

/** The parts of one upstream request worth quoting: path, the agent's notable headers, body fields and tool types. */
export function summarise(req: ReceivedRequest) {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => HEADERS_OF_NOTE.test(k)));
  const body = req.json && typeof req.json === 'object' ? req.json : {};
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return {
    request: `${req.method} ${req.url}`,
    headers,
    headerNames: Object.keys(req.headers).sort(),
    bodyFields: Object.keys(body).sort(),
    model: body.model,
    stream: body.stream,
    thinking: body.thinking,
    reasoning: body.reasoning,
    context_management: body.context_management,
    output_config: body.output_config,
    include: body.include,
    store: body.store,
    toolTypes: [...new Set(tools.map((t: any) => t.type ?? 'custom'))],
    toolNames: tools.map((t: any) => t.name ?? t.function?.name ?? t.type),
    deferLoadingTools: tools.filter((t: any) => t.defer_loading).length,
    messageRoles: Array.isArray(body.messages) ? body.messages.map((m: any) => m.role) : undefined,
    inputItemTypes: Array.isArray(body.input) ? body.input.map((i: any) => i.type ?? i.role) : undefined,
  };
}

/** Writes `<cache>/results/<agent>-<scenario>.json` so the run can be quoted; returns the summary. */
export function writeResult(agent: string, scenario: string, rig: AgentRig, run: AgentRun) {
  const result = {
    agent, scenario,
    exit: run.code, signal: run.signal, timedOut: run.timedOut, durationMs: run.durationMs,
    stdout: run.stdout.slice(-2000), stderr: run.stderr.slice(-4000),
    upstream: rig.upstream.requests.map(summarise),
    interceptions: rig.gw.recorder.interceptions.map((i) => ({ route: i.route, client: i.client, initiatorId: i.initiatorId, clientSessionId: i.clientSessionId, userAgent: i.userAgent, model: i.model, streaming: i.streaming })),
    ends: rig.gw.recorder.interceptionEnds.map((e) => ({ status: e.status, httpStatus: e.httpStatus, errorType: e.errorType, errorMessage: e.errorMessage })),
    toolUsages: rig.gw.recorder.toolUsages.map((t) => ({ tool: t.tool, injected: t.injected, args: t.args })),
    egressAttempts: [...rig.egress.attempts],
  };
  const dir = path.join(agentsCacheDir(), 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${agent}-${scenario}.json`), JSON.stringify(result, null, 2));
  // The raw bodies too: when an agent fails, what it sent is the first thing to read.
  fs.writeFileSync(path.join(dir, `${agent}-${scenario}.requests.jsonl`), rig.upstream.requests.map((r) => r.body).join('\n'));
  return result;
}
