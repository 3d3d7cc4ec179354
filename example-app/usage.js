/** Builds the JSON the example serves at `GET /usage` from the store's query API (any UsageQuery). */
'use strict';

/** The most the stores return per page. */
const MAX_LIMIT = 500;

function sumTokens(records) {
  return records.reduce(
    (t, r) => ({ input: t.input + r.input, output: t.output + r.output, cacheRead: t.cacheRead + r.cacheRead, cacheWrite: t.cacheWrite + r.cacheWrite }),
    { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  );
}

/** One interception as `/usage` lists it, from the store's summary row and full detail. */
function entryOf(summary, detail) {
  const { interception, ended, tokenUsages, prompts, tools } = detail;
  const prompt = prompts.at(-1);
  return {
    id: summary.id,
    startedAt: summary.startedAt,
    actor: { id: interception.initiatorId, ...interception.metadata },
    provider: summary.providerName,
    model: summary.model,
    streaming: summary.streaming,
    client: summary.client,
    // Records are written off the response path, in batches, so a just-finished request can briefly show in_progress.
    status: ended ? ended.status : 'in_progress',
    httpStatus: ended && ended.httpStatus,
    error: ended && ended.errorMessage,
    durationMs: ended ? new Date(ended.endedAt).getTime() - new Date(summary.startedAt).getTime() : undefined,
    key: summary.credentialHint,
    tokens: tokenUsages.length ? sumTokens(tokenUsages) : undefined,
    cost: summary.cost,
    prompt: prompt && prompt.prompt,
    // Injected calls were run by the bridge (on `serverUrl`); the others were returned to the client to run.
    toolCalls: tools.map((t) => ({ tool: t.tool, injected: t.injected, serverUrl: t.serverUrl, args: t.args, error: t.invocationError })),
  };
}

/**
 * `actorId`'s interceptions, newest first, plus their all-time totals, from `query` (the recorder's UsageQuery).
 * Only the caller's own: records hold whole prompts, which are no one else's business. `limit` (at most 500) caps
 * the list, not the totals.
 */
async function usageSummary(query, actorId, limit = 100) {
  const filter = { actor: actorId };
  const [totals, page] = await Promise.all([query.totals({ filter }), query.recentInterceptions({ filter, limit: Math.min(limit, MAX_LIMIT) })]);
  const details = await Promise.all(page.items.map((s) => query.interception(s.id)));
  const interceptions = page.items.flatMap((s, i) => (details[i] ? [entryOf(s, details[i])] : []));
  const mine = { requests: totals.interceptions, input: totals.input, output: totals.output, cost: totals.cost };
  return { total: totals.interceptions, byActor: totals.interceptions > 0 ? { [actorId]: mine } : {}, interceptions };
}

module.exports = { usageSummary, MAX_LIMIT };
