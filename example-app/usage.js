/** Turns what a MemoryRecorder holds into the JSON the example serves at `GET /usage`. */
'use strict';

function byInterception(records) {
  const map = new Map();
  for (const r of records) {
    const list = map.get(r.interceptionId);
    if (list) list.push(r);
    else map.set(r.interceptionId, [r]);
  }
  return map;
}

function sumTokens(records) {
  return records.reduce(
    (t, r) => ({ input: t.input + r.input, output: t.output + r.output, cacheRead: t.cacheRead + r.cacheRead, cacheWrite: t.cacheWrite + r.cacheWrite }),
    { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  );
}

/**
 * `actorId`'s interceptions, newest first, plus their totals. Only the caller's own: records hold whole
 * prompts, which are no one else's business. `limit` caps the list, not the totals.
 */
function usageSummary(recorder, actorId, limit = 100) {
  const ends = new Map(recorder.interceptionEnds.map((r) => [r.id, r]));
  const tokens = byInterception(recorder.tokenUsages);
  const prompts = byInterception(recorder.promptUsages);
  const tools = byInterception(recorder.toolUsages);

  const interceptions = recorder.interceptions.filter((i) => i.initiatorId === actorId).map((i) => {
    const end = ends.get(i.id);
    const used = tokens.get(i.id) || [];
    const prompt = (prompts.get(i.id) || []).at(-1);
    return {
      id: i.id,
      startedAt: i.startedAt,
      actor: { id: i.initiatorId, ...i.metadata },
      provider: i.providerName,
      model: i.model,
      streaming: i.streaming,
      client: i.client,
      // Records are written off the response path, so a just-finished request can briefly show in_progress.
      status: end ? end.status : 'in_progress',
      httpStatus: end && end.httpStatus,
      error: end && end.errorMessage,
      durationMs: end ? new Date(end.endedAt).getTime() - new Date(i.startedAt).getTime() : undefined,
      key: (end && end.credentialHint) || i.credentialHint,
      tokens: used.length ? sumTokens(used) : undefined,
      prompt: prompt && prompt.prompt,
      // Injected calls were run by the bridge (on `serverUrl`); the others were returned to the client to run.
      toolCalls: (tools.get(i.id) || []).map((t) => ({ tool: t.tool, injected: t.injected, serverUrl: t.serverUrl, args: t.args, error: t.invocationError })),
    };
  });

  const byActor = {};
  for (const entry of interceptions) {
    const totals = (byActor[entry.actor.id] ??= { requests: 0, input: 0, output: 0 });
    totals.requests += 1;
    totals.input += entry.tokens ? entry.tokens.input : 0;
    totals.output += entry.tokens ? entry.tokens.output : 0;
  }
  return { total: interceptions.length, byActor, interceptions: interceptions.reverse().slice(0, limit) };
}

module.exports = { usageSummary };
