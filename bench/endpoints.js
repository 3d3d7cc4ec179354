// Reaching a target: starting its process (or pointing at the upstream for "direct"), request shapes, warm-up.
'use strict';
const path = require('node:path');
const { start } = require('./processes');
const { SCENARIOS } = require('./scenarios');

async function startTarget(target, ctx) {
  if (target.id === 'direct') return { origin: ctx.upstreamOrigin, prefix: '', prefixes: {}, headers: {} };
  const env = { NODE_ENV: 'production', UPSTREAM_ORIGIN: ctx.upstreamOrigin, BEDROCK_ORIGIN: ctx.bedrockOrigin, ...target.env };
  let proc;
  if (target.portkey) {
    if (ctx.portkey.error) throw new Error(ctx.portkey.error);
    proc = await start(ctx.portkey.entry, {
      name: 'portkey', cwd: ctx.portkey.dir, env, args: ['--port=0', '--headless'],
      execArgv: ['--require', path.join(__dirname, 'targets', 'portkey-preload.js')],
    });
  } else {
    proc = await start(path.join(__dirname, target.module), { name: target.id, env });
  }
  const headers = target.portkey ? { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${ctx.upstreamOrigin}/v1` } : {};
  return { proc, origin: `http://127.0.0.1:${proc.port}`, prefix: target.prefix || '', prefixes: target.prefixes || {}, headers };
}

/** What the driver sends for `scenario` to `endpoint`: the provider's mount, the API's path, headers and stream end. */
function requestOf(endpoint, scenario) {
  const method = scenario.method || 'POST';
  const headers = { ...(scenario.headers || { authorization: 'Bearer sk-a' }), ...endpoint.headers };
  if (method === 'POST') headers['content-type'] = 'application/json';
  const prefix = (scenario.provider && endpoint.prefixes[scenario.provider]) ?? endpoint.prefix;
  return {
    origin: endpoint.origin, path: prefix + (scenario.apiPath || '/v1/chat/completions'), method, headers,
    body: method === 'POST' ? scenario.body : undefined, expectTail: scenario.stream ? scenario.streamTail || '[DONE]' : undefined,
  };
}

/** Unmeasured traffic right after a target starts: JIT, connection pools, and the pool key's cooldown. */
async function warmTarget(endpoint, ctx) {
  const quick = ctx.quick;
  const block = SCENARIOS.find((s) => s.id === 'block-c1');
  const stream = SCENARIOS.find((s) => s.id === 'stream-c1');
  await ctx.driver.ask('run', { ...requestOf(endpoint, block), n: quick ? 200 : 1000, concurrency: 10 }, 120_000);
  await ctx.driver.ask('run', { ...requestOf(endpoint, stream), n: quick ? 20 : 100, concurrency: 5 }, 120_000);
}

module.exports = { startTarget, requestOf, warmTarget };
