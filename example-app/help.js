/** The "how to try it" text, printed at startup and served at `GET /`: endpoints, tokens, tools, the dashboard. */
'use strict';

/** Commands to try against the example listening at `origin` (e.g. `http://127.0.0.1:3000`), as `token`'s user. */
function helpText({ origin, token, mode, mcp = { servers: [] }, dashboard }) {
  const openaiURL = `${origin}/ai/openai/v1`;
  const body = (stream) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });
  return [
    `express-aibridge example (${mode})`,
    '',
    `OpenAI-compatible endpoint: ${openaiURL}`,
    `Use a demo token where an API key goes: ${token} (or demo-token-bob); any other token gets 401.`,
    '',
    'Blocking:',
    `  curl ${openaiURL}/chat/completions -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${body(false)}'`,
    'Streaming:',
    `  curl -N ${openaiURL}/chat/completions -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${body(true)}'`,
    'Wrong token (401):',
    `  curl -i ${openaiURL}/models -H 'Authorization: Bearer nope'`,
    'OpenAI SDK (Node):',
    `  const client = new OpenAI({ apiKey: '${token}', baseURL: '${openaiURL}' });`,
    'What was recorded for you, and key health:',
    `  curl ${origin}/usage -H 'Authorization: Bearer ${token}'`,
    `  curl ${origin}/healthz`,
    ...mcpLines(openaiURL, token, mcp),
    ...dashboardLines(origin, dashboard),
    '',
  ].join('\n');
}

/** How to see the injected MCP tools at work, when there are any. */
function mcpLines(openaiURL, token, { servers, demoQuestion }) {
  if (servers.length === 0) return [];
  const lines = [`Injected MCP tools (servers: ${servers.join(', ')}), run by the bridge; shown to the model as bmcp_<server>_<tool>:`];
  if (demoQuestion) {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: demoQuestion }] });
    lines.push(`  curl ${openaiURL}/chat/completions -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${body}'`);
  }
  return lines;
}

/** Where the usage dashboard is and how to log in to it (HTTP Basic: a browser asks; curl takes `-u`). */
function dashboardLines(origin, dashboard) {
  if (!dashboard) return [];
  const url = `${origin}${dashboard.path}/`;
  if (!dashboard.user) return [`Usage dashboard (admins only; no demo user is an admin): ${url}`];
  return [
    `Usage dashboard, admins only: open ${url} in a browser and log in as user ${dashboard.user}, password ${dashboard.token}`,
    `  curl -u ${dashboard.user}:${dashboard.token} ${url}api/totals`,
  ];
}

module.exports = { helpText };
