/** Assertions every agent scenario makes: who was recorded, what reached the upstream, what the agent never saw. */
import { eventually } from '../../helpers/gateway';
import type { AgentRig } from './agent-rig';
import { AGENT_USER, INJECTED_TOOL } from './agent-rig';
import type { AgentRun } from './run-agent';

/** The run ended on its own, successfully; on failure the message carries the agent's output. */
export function expectCleanExit(run: AgentRun): void {
  if (run.code === 0 && !run.timedOut) return;
  throw new Error(`agent exited ${run.code}${run.timedOut ? ' (killed on timeout)' : ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-4000)}`);
}

/**
 * Every interception belongs to the agent's bridge user, names the client and its session, ended `completed`;
 * returns the session id the agent sent.
 */
export async function expectRecorded(rig: AgentRig, expected: { route: string; client: string }): Promise<string> {
  const { recorder } = rig.gw;
  expect(recorder.interceptions.length).toBeGreaterThan(0);
  await eventually(() => expect(recorder.interceptionEnds).toHaveLength(recorder.interceptions.length), 5000);
  for (const i of recorder.interceptions) {
    expect(i).toMatchObject({ initiatorId: AGENT_USER.id, route: expected.route, client: expected.client, streaming: true, credentialKind: 'centralized' });
  }
  for (const e of recorder.interceptionEnds) expect(e).toMatchObject({ status: 'completed', httpStatus: 200 });
  const sessions = new Set(recorder.interceptions.map((i) => i.clientSessionId));
  expect(sessions.size).toBe(1);
  const [session] = sessions;
  expect(session).toEqual(expect.any(String));
  return session!;
}

/** The upstream saw the pool key only: the agent's bridge token never leaves the bridge. */
export function expectPoolCredentialOnly(rig: AgentRig, header: 'x-api-key' | 'authorization', poolValue: string): void {
  for (const req of rig.upstream.requests) {
    expect(req.headers[header]).toBe(poolValue);
    expect(JSON.stringify(req.headers)).not.toContain(AGENT_USER.token);
  }
}

/**
 * The bridge ran the injected tool (recorded `injected: true`) and the agent never saw the call: only the bridge's
 * own follow-up request carries the call id (an agent that saw it would have sent it back, with a result or an
 * error), and the agent printed nothing about it.
 */
export async function expectInjectedHidden(rig: AgentRig, run: AgentRun, callId: string): Promise<void> {
  await eventually(() => expect(rig.gw.recorder.toolUsages.filter((t) => t.tool === INJECTED_TOOL)).toHaveLength(1), 5000);
  expect(rig.gw.recorder.toolUsages.find((t) => t.tool === INJECTED_TOOL)).toMatchObject({ injected: true, args: { a: 20, b: 22 }, invocationError: undefined });
  expect(rig.zoo.state.calls).toEqual(['add']);
  expect(rig.upstream.requests.filter((r) => r.body.includes(callId))).toHaveLength(1);
  expect(run.stdout).not.toContain(INJECTED_TOOL);
}

/** The agent ran its own tool: recorded as a client tool call, its result sent back to the model by the agent. */
export async function expectClientToolRan(rig: AgentRig, tool: string, callId: string): Promise<void> {
  await eventually(() => expect(rig.gw.recorder.toolUsages.some((t) => t.tool === tool)).toBe(true), 5000);
  for (const t of rig.gw.recorder.toolUsages) expect(t).toMatchObject({ tool, injected: false, toolCallId: callId });
  // The call went out in one interception and came back, answered, in the agent's next request.
  expect(rig.gw.recorder.interceptions.length).toBeGreaterThanOrEqual(2);
  expect(rig.zoo.state.calls).toEqual([]);
}
